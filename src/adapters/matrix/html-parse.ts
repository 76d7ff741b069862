/**
 * Matrix `formatted_body` (HTML) → RichText through an allow-list: only the tags listed here mean anything;
 * every other tag is reduced to its text, and the content of script-like tags and of the reply fallback
 * (`<mx-reply>`) is dropped. Links keep only http, https and mailto targets; matrix.to user links become mentions.
 */
import type { ContainerNode, RichNode, RichText, StyleKind } from "../../core/richtext.js";
import { MAX_DEPTH, normalize } from "../../core/richtext.js";
import { hexToColor } from "./colors.js";
import { tokenizeHtml } from "./html-tokens.js";

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

/** Matrix events are at most 65,536 bytes, so no formatted_body is longer; anything beyond is not read. */
export const MAX_HTML_CHARS = 65_536;

/**
 * Formatting elements open at once beyond this are read as their text. `normalize` flattens deeper trees anyway;
 * stopping here keeps the tree under construction shallow too.
 */
const MAX_OPEN_FORMATTING = MAX_DEPTH;

/** What an open element does with what is inside it. Each frame knows its container, so no lookup walks the stack. */
type Frame = {
  kind: "root" | "transparent" | "drop" | "node" | "code" | "pre" | "mention" | "ol";
  /** The innermost formatting node being built (or the root): where nodes inside this element go. */
  into: Frame;
  /** How many formatting nodes enclose this element's content. */
  depth: number;
  /** The innermost `<ol>` around this element, for numbering its items. */
  list?: Frame;
  /** The outermost element whose content is collected as raw text (`drop`, `pre`, `code`), if any. */
  collector?: Frame;
  children: RichNode[];
  /** For `node`: the formatting node being built; its children are this frame's. */
  node?: ContainerNode;
  text?: string;
  lang?: string;
  id?: string;
  n?: number;
  /** Inside a spoiler: what is here stays hidden however it is flattened. */
  inSpoiler?: boolean;
};

/** Whether a link target may be shown as a link (anything else is reduced to its text). */
export function isSafeHref(href: string): boolean {
  try {
    return ["http:", "https:", "mailto:"].includes(new URL(href.trim()).protocol);
  } catch {
    return false;
  }
}

const isBlock = (name: string) => BLOCKS.has(name) || name === "blockquote" || name === "pre";

/** Linear in the length of `html`, whatever its nesting (see html-tokens.ts). */
export function parseMatrixHtml(html: string, opts: { account?: string } = {}): RichText {
  const account = opts.account ?? "matrix";
  const root = { kind: "root", depth: 0, children: [] } as unknown as Frame;
  root.into = root;
  const stack: Frame[] = [root];
  let needBreak = false;
  const top = () => stack[stack.length - 1];
  const lastIsBreak = (c: Frame) => c.children.length === 0 || c.children[c.children.length - 1].t === "br";
  const add = (n: RichNode) => {
    const c = top().into;
    // A break owed after a closed block is written before the next content of a non-empty container.
    if (needBreak && c.children.length > 0) {
      if (!lastIsBreak(c) && n.t !== "br") c.children.push({ t: "br" });
      needBreak = false;
    }
    c.children.push(n);
  };
  const startBlock = () => {
    const c = top().into;
    if (!lastIsBreak(c)) c.children.push({ t: "br" });
    needBreak = false;
  };
  /** A child frame of the top one, inheriting its container, list and collector. */
  const child = (kind: Frame["kind"], extra: Partial<Frame> = {}): Frame => {
    const parent = top();
    const f = {
      kind,
      into: parent.into,
      depth: parent.depth,
      list: parent.list,
      collector: parent.collector,
      inSpoiler: parent.inSpoiler,
      children: [],
      ...extra,
    } as Frame;
    if (kind === "node") {
      f.into = f;
      f.depth = parent.depth + 1;
      f.children = (f.node as ContainerNode).children;
      if (f.node?.t === "spoiler") f.inSpoiler = true;
    }
    if (kind === "ol") f.list = f;
    if ((kind === "drop" || kind === "pre" || kind === "code") && !parent.collector) f.collector = f;
    return f;
  };

  tokenizeHtml(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html, {
    open(name, attrs) {
      const outer = top().collector;
      if (outer?.kind === "drop") {
        stack.push(child("drop"));
        return;
      }
      if (outer) {
        if (name === "code" && outer.kind === "pre") {
          const lang = /(?:^|\s)language-([\w+#.-]{1,32})/.exec(attrs.class ?? "")?.[1];
          if (lang) outer.lang = lang;
        }
        if (name === "br") outer.text += "\n";
        stack.push(child("transparent"));
        return;
      }
      if (DROP_CONTENT.has(name)) {
        stack.push(child("drop"));
        return;
      }
      if (isBlock(name)) startBlock();
      if (name === "br") {
        add({ t: "br" });
        needBreak = false;
      } else if (name === "img") {
        const alt = (attrs.alt ?? attrs.title ?? "").trim();
        if ("data-mx-emoticon" in attrs && alt) add({ t: "emoji", name: alt.replace(/^:|:$/g, "") });
        else if (alt) add({ t: "text", text: alt });
      } else if (name === "li") {
        const list = top().list;
        add({ t: "text", text: list ? `${++(list.n as number)}. ` : "• " });
      }
      const { kind, ...extra } = frameFor(name, attrs);
      // Formatting beyond the bound is read as its text, except a first spoiler: its content must stay hidden.
      const keep = extra.node?.t === "spoiler" && !top().inSpoiler;
      const flat = kind === "node" && top().depth >= MAX_OPEN_FORMATTING && !keep;
      stack.push(flat ? child("transparent") : child(kind, extra));
    },
    text(raw) {
      const outer = top().collector;
      if (outer?.kind === "drop") return;
      if (outer) {
        outer.text += raw;
        return;
      }
      if (/^\s*$/.test(raw) && /[\r\n]/.test(raw)) return;
      const text = raw.replace(/[\t\r\n]+/g, " ");
      const f = top();
      if (f.kind === "mention") f.text += text;
      else add({ t: "text", text });
    },
    close(name) {
      const f = stack.pop();
      if (!f || f.kind === "root") {
        if (f) stack.push(f);
        return;
      }
      if (f.kind === "drop") return;
      if (f.kind === "node") {
        add(f.node as ContainerNode);
      } else if (f.kind === "code") {
        if (f.text) add({ t: "code", text: f.text });
      } else if (f.kind === "pre") {
        add({ t: "codeblock", text: (f.text as string).replace(/\n$/, ""), ...(f.lang ? { lang: f.lang } : {}) });
      } else if (f.kind === "mention") {
        const label = (f.text as string).trim() || (f.id as string);
        add({ t: "mention", name: label, user: { account, id: f.id as string, name: label.replace(/^@/, "") } });
      }
      if (isBlock(name)) needBreak = true;
    },
  });
  return normalize(root.children);
}

type FrameSpec = { kind: Frame["kind"]; node?: ContainerNode; text?: string; id?: string; n?: number };
const TRANSPARENT: FrameSpec = { kind: "transparent" };

/** What an element opens: a formatting node, a collector of raw text, a mention, a list, or nothing. */
function frameFor(name: string, attrs: Record<string, string>): FrameSpec {
  const style = STYLE_TAGS[name];
  if (style) return { kind: "node", node: { t: style, children: [] } };
  switch (name) {
    case "code":
      return { kind: "code", text: "" };
    case "pre":
      return { kind: "pre", text: "" };
    case "blockquote":
      return { kind: "node", node: { t: "quote", children: [] } };
    case "ol":
      return { kind: "ol", n: Number.parseInt(attrs.start ?? "1", 10) - 1 || 0 };
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
        if (/^@[^:\s]+:\S+$/.test(id)) return { kind: "mention", id, text: "" };
      }
      if (isSafeHref(href)) return { kind: "node", node: { t: "link", url: href.trim(), children: [] } };
      return TRANSPARENT;
    }
    case "span":
    case "font": {
      if (name === "span" && "data-mx-spoiler" in attrs) return { kind: "node", node: { t: "spoiler", children: [] } };
      const fg = hexToColor(attrs["data-mx-color"] ?? attrs.color ?? "");
      const bg = hexToColor(attrs["data-mx-bg-color"] ?? "");
      if (fg !== undefined || bg !== undefined)
        return {
          kind: "node",
          node: { t: "color", ...(fg !== undefined ? { fg } : {}), ...(bg !== undefined ? { bg } : {}), children: [] },
        };
      return TRANSPARENT;
    }
    default:
      return TRANSPARENT;
  }
}
