/**
 * Matrix `formatted_body` (HTML) → RichText through an allow-list: only the tags listed here mean anything;
 * every other tag is reduced to its text, and the content of script-like tags and of the reply fallback
 * (`<mx-reply>`) is dropped. Links keep only http, https and mailto targets; matrix.to user links become mentions.
 */
import { Parser } from "htmlparser2";
import type { RichNode, RichText, StyleKind } from "../../core/richtext.js";
import { normalize } from "../../core/richtext.js";
import { hexToColor } from "./colors.js";

const STYLE_TAGS: Record<string, StyleKind> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  del: "strike",
  s: "strike",
  strike: "strike",
};

/** Tags whose content is never shown (code, embedded documents, the reply fallback). */
const DROP_CONTENT = new Set([
  "script",
  "style",
  "mx-reply",
  "head",
  "title",
  "template",
  "iframe",
  "object",
  "embed",
  "noscript",
  "textarea",
  "select",
  "svg",
  "math",
]);

const BLOCKS = new Set(["p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "hr"]);

const PILL = /^https:\/\/matrix\.to\/#\/([^/?#]+)/;

type Frame =
  | { kind: "root" | "transparent"; children: RichNode[] }
  | { kind: "drop"; children: RichNode[] }
  | { kind: "node"; make: (children: RichNode[]) => RichNode; children: RichNode[] }
  | { kind: "code"; text: string; children: RichNode[] }
  | { kind: "pre"; text: string; lang?: string; children: RichNode[] }
  | { kind: "mention"; id: string; text: string; children: RichNode[] }
  | { kind: "ol"; n: number; children: RichNode[] };

/** Whether a link target may be shown as a link (anything else is reduced to its text). */
export function isSafeHref(href: string): boolean {
  try {
    return ["http:", "https:", "mailto:"].includes(new URL(href.trim()).protocol);
  } catch {
    return false;
  }
}

export function parseMatrixHtml(html: string, opts: { account?: string } = {}): RichText {
  const account = opts.account ?? "matrix";
  const root: Frame = { kind: "root", children: [] };
  const stack: Frame[] = [root];
  let needBreak = false;
  const top = () => stack[stack.length - 1];
  const collecting = () => stack.find((f) => f.kind === "drop" || f.kind === "pre" || f.kind === "code");
  /** Where new nodes go: the innermost formatting node being built, else the top level. */
  const container = () => [...stack].reverse().find((f) => f.kind === "root" || f.kind === "node") ?? root;
  const lastIsBreak = (c: Frame) => c.children.length === 0 || c.children[c.children.length - 1].t === "br";
  const add = (n: RichNode) => {
    const c = container();
    // A break owed after a closed block is written before the next content of a non-empty container.
    if (needBreak && c.children.length > 0) {
      if (!lastIsBreak(c) && n.t !== "br") c.children.push({ t: "br" });
      needBreak = false;
    }
    c.children.push(n);
  };
  const startBlock = () => {
    const c = container();
    if (!lastIsBreak(c)) c.children.push({ t: "br" });
    needBreak = false;
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const outer = collecting();
        if (outer?.kind === "drop") {
          stack.push({ kind: "drop", children: [] });
          return;
        }
        if (outer?.kind === "pre" || outer?.kind === "code") {
          if (name === "code" && outer.kind === "pre") {
            const lang = /(?:^|\s)language-([\w+#.-]{1,32})/.exec(attrs.class ?? "")?.[1];
            if (lang) outer.lang = lang;
          }
          if (name === "br") outer.text += "\n";
          stack.push({ kind: "transparent", children: [] });
          return;
        }
        if (DROP_CONTENT.has(name)) {
          stack.push({ kind: "drop", children: [] });
          return;
        }
        if (BLOCKS.has(name) || name === "blockquote" || name === "pre") startBlock();
        if (name === "br") {
          add({ t: "br" });
          needBreak = false;
        } else if (name === "img") {
          const alt = (attrs.alt ?? attrs.title ?? "").trim();
          if ("data-mx-emoticon" in attrs && alt) add({ t: "emoji", name: alt.replace(/^:|:$/g, "") });
          else if (alt) add({ t: "text", text: alt });
        } else if (name === "li") {
          const list = [...stack].reverse().find((f) => f.kind === "ol");
          add({ t: "text", text: list?.kind === "ol" ? `${++list.n}. ` : "• " });
        }
        stack.push(frameFor(name, attrs, account));
      },
      ontext(raw) {
        const outer = collecting();
        if (outer?.kind === "drop") return;
        if (outer?.kind === "pre" || outer?.kind === "code") {
          outer.text += raw;
          return;
        }
        if (/^\s*$/.test(raw) && /[\r\n]/.test(raw)) return;
        const text = raw.replace(/[\t\r\n]+/g, " ");
        const f = top();
        if (f.kind === "mention") f.text += text;
        else add({ t: "text", text });
      },
      onclosetag(name) {
        const f = stack.pop();
        if (!f || f.kind === "root" || f.kind === "drop") return;
        if (f.kind === "node") {
          add(f.make(normalize(f.children)));
        } else if (f.kind === "code") {
          if (f.text) add({ t: "code", text: f.text });
        } else if (f.kind === "pre") {
          add({ t: "codeblock", text: f.text.replace(/\n$/, ""), ...(f.lang ? { lang: f.lang } : {}) });
        } else if (f.kind === "mention") {
          const label = f.text.trim() || f.id;
          add({ t: "mention", name: label, user: { account, id: f.id, name: label.replace(/^@/, "") } });
        }
        if (BLOCKS.has(name) || name === "blockquote" || name === "pre") needBreak = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return normalize(root.children);
}

function frameFor(name: string, attrs: Record<string, string>, _account: string): Frame {
  const style = STYLE_TAGS[name];
  if (style) return { kind: "node", make: (children) => ({ t: style, children }), children: [] };
  switch (name) {
    case "code":
      return { kind: "code", text: "", children: [] };
    case "pre":
      return { kind: "pre", text: "", children: [] };
    case "blockquote":
      return { kind: "node", make: (children) => ({ t: "quote", children }), children: [] };
    case "ol":
      return { kind: "ol", n: Number.parseInt(attrs.start ?? "1", 10) - 1 || 0, children: [] };
    case "a": {
      const href = attrs.href ?? "";
      const pill = PILL.exec(href);
      if (pill) {
        let id = pill[1];
        try {
          id = decodeURIComponent(id);
        } catch {
          // keep it encoded
        }
        if (/^@[^:\s]+:\S+$/.test(id)) return { kind: "mention", id, text: "", children: [] };
      }
      if (isSafeHref(href))
        return { kind: "node", make: (children) => ({ t: "link", url: href.trim(), children }), children: [] };
      return { kind: "transparent", children: [] };
    }
    case "span":
    case "font": {
      if (name === "span" && "data-mx-spoiler" in attrs)
        return { kind: "node", make: (children) => ({ t: "spoiler", children }), children: [] };
      const fg = hexToColor(attrs["data-mx-color"] ?? attrs.color ?? "");
      const bg = hexToColor(attrs["data-mx-bg-color"] ?? "");
      if (fg !== undefined || bg !== undefined)
        return {
          kind: "node",
          make: (children) => ({
            t: "color",
            ...(fg !== undefined ? { fg } : {}),
            ...(bg !== undefined ? { bg } : {}),
            children,
          }),
          children: [],
        };
      return { kind: "transparent", children: [] };
    }
    default:
      return { kind: "transparent", children: [] };
  }
}
