/** Discord Markdown ⇄ RichText. Masked links keep their real target; mentions become mention nodes. */
import type { UserRef } from "../../core/model.js";
import { normalize, type RichNode, type RichText, splitLines } from "../../core/richtext.js";

/** Names for `<@id>`, `<#id>`, `<@&id>` when the adapter knows them. */
export interface MentionNames {
  user?(id: string): string | undefined;
  channel?(id: string): string | undefined;
  role?(id: string): string | undefined;
  account?: string;
}

type Rule = { re: RegExp; make: (m: RegExpExecArray, inner: (s: string) => RichText, names: MentionNames) => RichNode };

const RULES: Rule[] = [
  {
    re: /^```(?:([\w+-]{1,20})\n)?([\s\S]*?)```/,
    make: (m) => ({ t: "codeblock", text: m[2].replace(/\n$/, ""), lang: m[1] }),
  },
  { re: /^`([^`\n]+)`/, make: (m) => ({ t: "code", text: m[1] }) },
  { re: /^\*\*([\s\S]+?)\*\*(?!\*)/, make: (m, inner) => ({ t: "bold", children: inner(m[1]) }) },
  { re: /^__([\s\S]+?)__(?!_)/, make: (m, inner) => ({ t: "underline", children: inner(m[1]) }) },
  { re: /^~~([\s\S]+?)~~/, make: (m, inner) => ({ t: "strike", children: inner(m[1]) }) },
  { re: /^\|\|([\s\S]+?)\|\|/, make: (m, inner) => ({ t: "spoiler", children: inner(m[1]) }) },
  { re: /^\*([^*\s][^*]*?)\*/, make: (m, inner) => ({ t: "italic", children: inner(m[1]) }) },
  { re: /^_([^_\s][^_]*?)_(?![\w])/, make: (m, inner) => ({ t: "italic", children: inner(m[1]) }) },
  {
    re: /^\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)/,
    make: (m, inner) => ({ t: "link", url: m[2], children: inner(m[1]) }),
  },
  {
    re: /^<@!?(\d{5,25})>/,
    make: (m, _i, names) => {
      const name = names.user?.(m[1]) ?? m[1];
      const user: UserRef | undefined = names.account ? { account: names.account, id: m[1], name } : undefined;
      return { t: "mention", name, user };
    },
  },
  { re: /^<#(\d{5,25})>/, make: (m, _i, names) => ({ t: "text", text: `#${names.channel?.(m[1]) ?? m[1]}` }) },
  { re: /^<@&(\d{5,25})>/, make: (m, _i, names) => ({ t: "text", text: `@${names.role?.(m[1]) ?? "role"}` }) },
  { re: /^<a?:(\w{1,32}):\d{5,25}>/, make: (m) => ({ t: "emoji", name: m[1] }) },
  { re: /^<(https?:\/\/[^\s>]+)>/, make: (m) => ({ t: "link", url: m[1], children: [{ t: "text", text: m[1] }] }) },
  { re: /^\\([\\`*_{}[\]()#+\-.!|~<>:@])/, make: (m) => ({ t: "text", text: m[1] }) },
];

function parseInline(s: string, names: MentionNames, depth: number): RichText {
  const out: RichText = [];
  let buf = "";
  const inner = (x: string) => (depth > 8 ? [{ t: "text" as const, text: x }] : parseInline(x, names, depth + 1));
  for (let i = 0; i < s.length; ) {
    let hit = false;
    if ("`*_~|[<\\".includes(s[i])) {
      const rest = s.slice(i);
      for (const rule of RULES) {
        const m = rule.re.exec(rest);
        if (m) {
          if (buf) out.push({ t: "text", text: buf });
          buf = "";
          out.push(rule.make(m, inner, names));
          i += m[0].length;
          hit = true;
          break;
        }
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
  const lines = content.slice(0, 4000).split("\n");
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
    if (q && !content.includes("```")) {
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

function render(nodes: RichText, mentionIds: Set<string>): string {
  let s = "";
  for (const n of nodes) {
    switch (n.t) {
      case "text":
        s += escapeDiscord(n.text);
        break;
      case "br":
        s += "\n";
        break;
      case "bold":
        s += `**${render(n.children, mentionIds)}**`;
        break;
      case "italic":
        s += `*${render(n.children, mentionIds)}*`;
        break;
      case "underline":
        s += `__${render(n.children, mentionIds)}__`;
        break;
      case "strike":
        s += `~~${render(n.children, mentionIds)}~~`;
        break;
      case "spoiler":
        s += `||${render(n.children, mentionIds)}||`;
        break;
      case "color":
        s += render(n.children, mentionIds);
        break;
      case "code":
        s += `\`${n.text.replace(/`/g, "ˋ")}\``;
        break;
      case "codeblock":
        s += `\`\`\`${n.lang && /^[\w+-]+$/.test(n.lang) ? n.lang : ""}\n${n.text.replace(/```/g, "ˋˋˋ")}\n\`\`\``;
        break;
      case "quote":
        s += `${render(n.children, mentionIds)
          .split("\n")
          .map((l) => `> ${l}`)
          .join("\n")}\n`;
        break;
      case "link": {
        const label = render(n.children, mentionIds);
        s += label && label !== escapeDiscord(n.url) ? `${label} (<${n.url}>)` : `<${n.url}>`;
        break;
      }
      case "mention":
        s += n.user && mentionIds.has(n.user.id) && /^\d+$/.test(n.user.id) ? `<@${n.user.id}>` : escapeDiscord(n.name);
        break;
      case "emoji":
        s += `:${n.name}:`;
        break;
    }
  }
  return s;
}

/** RichText → Discord Markdown; only mentions of ids in `mentionIds` become real mentions. */
export function renderDiscord(rt: RichText, mentionIds: Iterable<string> = []): string {
  const ids = new Set(mentionIds);
  return splitLines(rt)
    .map((l) => render(l, ids))
    .join("\n");
}
