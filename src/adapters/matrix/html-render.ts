/**
 * RichText → Matrix `body` (plain) and `formatted_body` (HTML). The HTML is generated here from the model and every
 * piece of text is escaped, so nothing a sender typed (tags, a forged `<mx-reply>`, `javascript:` links) can become
 * markup. Room-wide pings are neutralised in both forms.
 */
import { escapeHtml } from "../../core/escape-html.js";
import {
  type ContainerNode,
  type LeafNode,
  type RichNode,
  type RichText,
  renderTree,
  SPOILER_PLACEHOLDER,
  type TreeRenderer,
} from "../../core/richtext.js";
import { colorToHex } from "./colors.js";
import { isSafeHref } from "./html-parse.js";

/** A Matrix user id as used in pills. */
export const MXID = /^@[^:\s]+:\S+$/;

export { escapeHtml };

/** `@room` (and its legacy push-rule trigger in any case) gets a word joiner so it can never ping the room. */
export function neutraliseRoomPing(s: string): string {
  return s.replace(/@(room)/gi, "@\u2060$1");
}

export const pillUrl = (mxid: string): string => `https://matrix.to/#/${encodeURIComponent(mxid).replace(/%3A/g, ":")}`;

export interface Rendered {
  body: string;
  html: string;
  /** Matrix user ids that appear as pills. */
  pills: string[];
}

export function renderMatrixHtml(rt: RichText): Rendered {
  const pills: string[] = [];
  const html = renderTree(rt, new HtmlRenderer(pills));
  const body = renderTree(rt, bodyRenderer);
  return { body: neutraliseRoomPing(body), html: neutraliseRoomPing(html), pills };
}

const TAGS: Partial<Record<RichNode["t"], [string, string]>> = {
  bold: ["<strong>", "</strong>"],
  italic: ["<em>", "</em>"],
  underline: ["<u>", "</u>"],
  strike: ["<del>", "</del>"],
  spoiler: ['<span data-mx-spoiler="">', "</span>"],
  quote: ["<blockquote>", "</blockquote>"],
};

class HtmlRenderer implements TreeRenderer {
  constructor(private readonly pills: string[]) {}

  leaf(n: LeafNode): string {
    switch (n.t) {
      case "text":
        return escapeHtml(n.text).replace(/\r\n|\r|\n/g, "<br>");
      case "br":
        return "<br>";
      case "code":
        return `<code>${escapeHtml(n.text)}</code>`;
      case "codeblock": {
        const lang = n.lang && /^[\w+#.-]{1,32}$/.test(n.lang) ? ` class="language-${escapeHtml(n.lang)}"` : "";
        return `<pre><code${lang}>${escapeHtml(n.text)}</code></pre>`;
      }
      case "mention":
        if (n.user && MXID.test(n.user.id)) {
          this.pills.push(n.user.id);
          return `<a href="${escapeHtml(pillUrl(n.user.id))}">${escapeHtml(n.name)}</a>`;
        }
        return escapeHtml(n.name);
      case "emoji":
        return escapeHtml(`:${n.name}:`);
    }
  }

  wrap(n: ContainerNode, inner: string): string {
    if (n.t === "color") {
      const fg = n.fg !== undefined ? colorToHex(n.fg) : undefined;
      const bg = n.bg !== undefined ? colorToHex(n.bg) : undefined;
      if (!fg && !bg) return inner;
      const attrs = `${fg ? ` data-mx-color="${fg}"` : ""}${bg ? ` data-mx-bg-color="${bg}"` : ""}`;
      return `<font${attrs}>${inner}</font>`;
    }
    if (n.t === "link") {
      if (!isSafeHref(n.url)) return `${inner} (${escapeHtml(n.url)})`;
      const href = escapeHtml(n.url.trim());
      // A label naming another address (`[bank.example](https://evil.example)`) is text; the real target is the link.
      if (namesOtherAddress(linkPlain(n.url, renderTree(n.children, bodyRenderer)), n.url))
        return `${inner} (<a href="${href}">${escapeHtml(n.url)}</a>)`;
      return `<a href="${href}">${n.children.length ? inner : escapeHtml(n.url)}</a>`;
    }
    const [open, close] = TAGS[n.t] ?? ["", ""];
    return `${open}${inner}${close}`;
  }

  flat(n: ContainerNode, inner: string): string {
    return n.t === "link" ? `${inner} (${escapeHtml(n.url)})` : inner;
  }
}

/** Whether a link's label names a host other than the one the link goes to. */
export function namesOtherAddress(label: string, url: string): boolean {
  let host = "";
  try {
    host = new URL(url.trim()).hostname.toLowerCase();
  } catch {
    return true;
  }
  const named = label.toLowerCase().match(/(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu) ?? [];
  return named.some((h) => h !== host);
}

const linkPlain = (url: string, label: string): string => (!label || label === url ? url : `${label} (${url})`);

/** The plain `body` clients without HTML show: code in backticks, spoilers hidden. */
const bodyRenderer: TreeRenderer = {
  leaf(n) {
    switch (n.t) {
      case "text":
        return n.text;
      case "br":
        return "\n";
      case "code":
        return `\`${n.text}\``;
      case "codeblock":
        return `\`\`\`${n.lang ?? ""}\n${n.text}\n\`\`\``;
      case "mention":
        return n.name;
      case "emoji":
        return `:${n.name}:`;
    }
  },
  wrap(n, inner) {
    if (n.t === "link") return linkPlain(n.url, inner);
    if (n.t === "spoiler") return SPOILER_PLACEHOLDER;
    if (n.t === "quote")
      return inner
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
    return inner;
  },
  flat: (n, inner) => (n.t === "link" ? `${inner} (${n.url})` : inner),
};
