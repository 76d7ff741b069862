/**
 * RichText → Matrix `body` (plain) and `formatted_body` (HTML). The HTML is generated here from the model and every
 * piece of text is escaped, so nothing a sender typed (tags, a forged `<mx-reply>`, `javascript:` links) can become
 * markup. Room-wide pings are neutralised in both forms.
 */
import { escapeHtml } from "../../core/escape-html.js";
import type { RichNode, RichText } from "../../core/richtext.js";
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
  const html = rt.map((n) => nodeHtml(n, pills)).join("");
  const body = rt.map((n) => nodePlain(n)).join("");
  return { body: neutraliseRoomPing(body), html: neutraliseRoomPing(html), pills };
}

function inner(children: RichText, pills: string[]): string {
  return children.map((n) => nodeHtml(n, pills)).join("");
}

function nodeHtml(n: RichNode, pills: string[]): string {
  switch (n.t) {
    case "text":
      return escapeHtml(n.text).replace(/\r\n|\r|\n/g, "<br>");
    case "br":
      return "<br>";
    case "bold":
      return `<strong>${inner(n.children, pills)}</strong>`;
    case "italic":
      return `<em>${inner(n.children, pills)}</em>`;
    case "underline":
      return `<u>${inner(n.children, pills)}</u>`;
    case "strike":
      return `<del>${inner(n.children, pills)}</del>`;
    case "spoiler":
      return `<span data-mx-spoiler="">${inner(n.children, pills)}</span>`;
    case "color": {
      const fg = n.fg !== undefined ? colorToHex(n.fg) : undefined;
      const bg = n.bg !== undefined ? colorToHex(n.bg) : undefined;
      if (!fg && !bg) return inner(n.children, pills);
      const attrs = `${fg ? ` data-mx-color="${fg}"` : ""}${bg ? ` data-mx-bg-color="${bg}"` : ""}`;
      return `<font${attrs}>${inner(n.children, pills)}</font>`;
    }
    case "code":
      return `<code>${escapeHtml(n.text)}</code>`;
    case "codeblock": {
      const lang = n.lang && /^[\w+#.-]{1,32}$/.test(n.lang) ? ` class="language-${escapeHtml(n.lang)}"` : "";
      return `<pre><code${lang}>${escapeHtml(n.text)}</code></pre>`;
    }
    case "quote":
      return `<blockquote>${inner(n.children, pills)}</blockquote>`;
    case "link": {
      if (!isSafeHref(n.url)) return `${inner(n.children, pills)} (${escapeHtml(n.url)})`;
      const href = escapeHtml(n.url.trim());
      // A label naming another address (`[bank.example](https://evil.example)`) is text; the real target is the link.
      if (namesOtherAddress(nodePlain(n), n.url))
        return `${inner(n.children, pills)} (<a href="${href}">${escapeHtml(n.url)}</a>)`;
      return `<a href="${href}">${n.children.length ? inner(n.children, pills) : escapeHtml(n.url)}</a>`;
    }
    case "mention":
      if (n.user && MXID.test(n.user.id)) {
        pills.push(n.user.id);
        return `<a href="${escapeHtml(pillUrl(n.user.id))}">${escapeHtml(n.name)}</a>`;
      }
      return escapeHtml(n.name);
    case "emoji":
      return escapeHtml(`:${n.name}:`);
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

function nodePlain(n: RichNode): string {
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
    case "link": {
      const label = n.children.map(nodePlain).join("");
      return !label || label === n.url ? n.url : `${label} (${n.url})`;
    }
    case "quote":
      return n.children
        .map(nodePlain)
        .join("")
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
    default:
      return n.children.map(nodePlain).join("");
  }
}
