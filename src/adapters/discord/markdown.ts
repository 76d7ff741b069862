/** Discord Markdown ⇄ RichText. Masked links keep their real target; mentions become mention nodes. */
import type { UserRef } from "../../core/model.js";
import {
  normalize,
  type ContainerNode,
  type LeafNode,
  type RichNode,
  type RichText,
  renderTree,
  splitLines,
  type TreeRenderer,
} from "../../core/richtext.js";

/** Names for `<@id>`, `<#id>`, `<@&id>` when the adapter knows them. */
export interface MentionNames {
  user?(id: string): string | undefined;
  channel?(id: string): string | undefined;
  role?(id: string): string | undefined;
  account?: string;
}

/**
 * One inline rule: a sticky regex tried where the text has one of its opening characters. `open` marks rules whose
 * body scans ahead for a closing delimiter: when the opener is there but the match fails, no closer follows
 * anywhere later, so the rule is not tried again further on (without this, `**` repeated would be quadratic).
 */
type Rule = {
  re: RegExp;
  open?: string;
  make: (m: RegExpExecArray, inner: (s: string) => RichText, names: MentionNames) => RichNode;
};

/** Discord's own limit for a message (with Nitro); anything longer is not read. */
export const MAX_DISCORD_CHARS = 4000;
/** Formatting inside formatting is parsed this deep; deeper it is text (each level re-reads only its own span). */
const MAX_MARKDOWN_NESTING = 8;
/** Link targets longer than this are not links: keeps each `[`/`<` look-ahead short. */
const MAX_URL = 2048;

const RULES: Rule[] = [
  {
    re: /```(?:([\w+-]{1,20})\n)?([\s\S]*?)```/y,
    open: "```",
    make: (m) => ({ t: "codeblock", text: m[2].replace(/\n$/, ""), lang: m[1] }),
  },
  { re: /`([^`\n]+)`/y, make: (m) => ({ t: "code", text: m[1] }) },
  { re: /\*\*([\s\S]+?)\*\*(?!\*)/y, open: "**", make: (m, inner) => ({ t: "bold", children: inner(m[1]) }) },
  { re: /__([\s\S]+?)__(?!_)/y, open: "__", make: (m, inner) => ({ t: "underline", children: inner(m[1]) }) },
  { re: /~~([\s\S]+?)~~/y, open: "~~", make: (m, inner) => ({ t: "strike", children: inner(m[1]) }) },
  { re: /\|\|([\s\S]+?)\|\|/y, open: "||", make: (m, inner) => ({ t: "spoiler", children: inner(m[1]) }) },
  { re: /\*([^*\s][^*]*?)\*/y, make: (m, inner) => ({ t: "italic", children: inner(m[1]) }) },
  { re: /_([^_\s][^_]*?)_(?![\w])/y, make: (m, inner) => ({ t: "italic", children: inner(m[1]) }) },
  {
    re: new RegExp(`\\[([^\\]\\n]{1,200})\\]\\((https?:\\/\\/[^\\s)]{1,${MAX_URL}})\\)`, "y"),
    make: (m, inner) => ({ t: "link", url: m[2], children: inner(m[1]) }),
  },
  {
    re: /<@!?(\d{5,25})>/y,
    make: (m, _i, names) => {
      const name = names.user?.(m[1]) ?? m[1];
      const user: UserRef | undefined = names.account ? { account: names.account, id: m[1], name } : undefined;
      return { t: "mention", name, user };
    },
  },
  { re: /<#(\d{5,25})>/y, make: (m, _i, names) => ({ t: "text", text: `#${names.channel?.(m[1]) ?? m[1]}` }) },
  { re: /<@&(\d{5,25})>/y, make: (m, _i, names) => ({ t: "text", text: `@${names.role?.(m[1]) ?? "role"}` }) },
  { re: /<a?:(\w{1,32}):\d{5,25}>/y, make: (m) => ({ t: "emoji", name: m[1] }) },
  {
    re: new RegExp(`<(https?:\\/\\/[^\\s>]{1,${MAX_URL}})>`, "y"),
    make: (m) => ({ t: "link", url: m[1], children: [{ t: "text", text: m[1] }] }),
  },
  { re: /\\([\\`*_{}[\]()#+\-.!|~<>:@])/y, make: (m) => ({ t: "text", text: m[1] }) },
];

const OPENERS = "`*_~|[<\\";

/** Linear in `s` times the nesting bound: sticky regexes at the current index, no copies of the rest. */
function parseInline(s: string, names: MentionNames, depth: number): RichText {
  const out: RichText = [];
  let buf = "";
  const deadFrom = RULES.map(() => Number.POSITIVE_INFINITY);
  const inner = (x: string): RichText =>
    depth > MAX_MARKDOWN_NESTING ? [{ t: "text", text: x }] : parseInline(x, names, depth + 1);
  for (let i = 0; i < s.length; ) {
    let hit = false;
    if (OPENERS.includes(s[i])) {
      for (let r = 0; r < RULES.length && !hit; r++) {
        const rule = RULES[r];
        if (i >= deadFrom[r]) continue;
        rule.re.lastIndex = i;
        const m = rule.re.exec(s);
        if (!m) {
          if (rule.open && s.startsWith(rule.open, i)) deadFrom[r] = i;
          continue;
        }
        if (buf) out.push({ t: "text", text: buf });
        buf = "";
        out.push(rule.make(m, inner, names));
        i += m[0].length;
        hit = true;
      }
    }
    if (!hit) {
      if (s[i] === "\n") {
        if (buf) out.push({ t: "text", text: buf });
        buf = "";
        out.push({ t: "br" });
      } else buf += s[i];
      i++;
    }
  }
  if (buf) out.push({ t: "text", text: buf });
  return out;
}

/** Parses a Discord message; `> ` lines become quotes. */
export function parseDiscord(content: string, names: MentionNames = {}): RichText {
  const lines = content.slice(0, MAX_DISCORD_CHARS).split("\n");
  const hasFence = content.includes("```");
  const out: RichText = [];
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length) out.push({ t: "quote", children: parseInline(quote.join("\n"), names, 0) });
    quote = [];
  };
  const plain: string[] = [];
  const flushPlain = () => {
    if (plain.length) {
      if (out.length) out.push({ t: "br" });
      out.push(...parseInline(plain.join("\n"), names, 0));
    }
    plain.length = 0;
  };
  for (const line of lines) {
    const q = /^>\s?(.*)$/.exec(line);
    if (q && !hasFence) {
      flushPlain();
      quote.push(q[1]);
    } else {
      flushQuote();
      plain.push(line);
    }
  }
  flushQuote();
  flushPlain();
  return normalize(out);
}

/** Escapes Markdown and neutralises mass mentions in relayed plain text. */
export function escapeDiscord(s: string): string {
  return s
    .replace(/[\\`*_~|[\]]/g, (c) => `\\${c}`)
    .replace(/^>/gm, "\\>")
    .replace(/[@＠]/g, "@\u200b")
    .replace(/<(?=[@#:a])/g, "<\u200b");
}

const MARKS: Partial<Record<RichNode["t"], string>> = {
  bold: "**",
  italic: "*",
  underline: "__",
  strike: "~~",
  spoiler: "||",
};

class DiscordRenderer implements TreeRenderer {
  constructor(private readonly mentionIds: Set<string>) {}

  leaf(n: LeafNode): string {
    switch (n.t) {
      case "text":
        return escapeDiscord(n.text);
      case "br":
        return "\n";
      case "code":
        return `\`${n.text.replace(/`/g, "ˋ")}\``;
      case "codeblock":
        return `\`\`\`${n.lang && /^[\w+-]+$/.test(n.lang) ? n.lang : ""}\n${n.text.replace(/```/g, "ˋˋˋ")}\n\`\`\``;
      case "mention":
        return n.user && this.mentionIds.has(n.user.id) && /^\d+$/.test(n.user.id)
          ? `<@${n.user.id}>`
          : escapeDiscord(n.name);
      case "emoji":
        return `:${n.name}:`;
    }
  }

  wrap(n: ContainerNode, inner: string): string {
    if (n.t === "quote")
      return `${inner
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n")}\n`;
    if (n.t === "link") return inner && inner !== escapeDiscord(n.url) ? `${inner} (<${n.url}>)` : `<${n.url}>`;
    const mark = MARKS[n.t] ?? "";
    return `${mark}${inner}${mark}`;
  }

  flat(n: ContainerNode, inner: string): string {
    return n.t === "link" ? `${inner} (<${n.url}>)` : inner;
  }
}

/** RichText → Discord Markdown; only mentions of ids in `mentionIds` become real mentions. */
export function renderDiscord(rt: RichText, mentionIds: Iterable<string> = []): string {
  const r = new DiscordRenderer(new Set(mentionIds));
  return splitLines(rt)
    .map((l) => renderTree(l, r))
    .join("\n");
}
