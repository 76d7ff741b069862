/** IRC formatting codes ⇄ RichText. */
import {
  normalize,
  type ContainerNode,
  type LeafNode,
  type RichNode,
  type RichText,
  renderTree,
  splitLines,
  type TreeRenderer,
  SPOILER_PLACEHOLDER,
  toPlain,
} from "../../core/richtext.js";

const B = "\x02";
const C = "\x03";
const I = "\x1d";
const U = "\x1f";
const S = "\x1e";
const M = "\x11";
const R = "\x16";
const O = "\x0f";
const HEX = "\x04";

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  mono: boolean;
  fg?: number;
  bg?: number;
}

const plainStyle = (): Style => ({ bold: false, italic: false, underline: false, strike: false, mono: false });

function wrap(text: string, st: Style): RichNode {
  let node: RichNode = st.mono ? { t: "code", text } : { t: "text", text };
  // Colours that hide text (same foreground and background) are dropped so nothing is hidden from readers.
  if (st.fg !== undefined && st.fg !== st.bg) node = { t: "color", fg: st.fg, bg: st.bg, children: [node] };
  if (st.strike) node = { t: "strike", children: [node] };
  if (st.underline) node = { t: "underline", children: [node] };
  if (st.italic) node = { t: "italic", children: [node] };
  if (st.bold) node = { t: "bold", children: [node] };
  return node;
}

/** Parses one IRC message (codes included) into RichText. */
export function parseIrc(input: string): RichText {
  const out: RichText = [];
  let st = plainStyle();
  let buf = "";
  const flush = () => {
    if (buf) out.push(wrap(buf, st));
    buf = "";
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    switch (ch) {
      case B:
      case I:
      case U:
      case S:
      case M: {
        flush();
        const key = ({ [B]: "bold", [I]: "italic", [U]: "underline", [S]: "strike", [M]: "mono" } as const)[ch];
        st = { ...st, [key]: !st[key] };
        break;
      }
      case C: {
        flush();
        const m = /^(\d{1,2})(?:,(\d{1,2}))?/.exec(input.slice(i + 1));
        if (m) {
          st = { ...st, fg: Number(m[1]), bg: m[2] !== undefined ? Number(m[2]) : st.bg };
          i += m[0].length;
        } else st = { ...st, fg: undefined, bg: undefined };
        break;
      }
      case HEX: {
        flush();
        const m = /^[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?/.exec(input.slice(i + 1));
        if (m) i += m[0].length;
        break;
      }
      case R:
        flush();
        break;
      case O:
        flush();
        st = plainStyle();
        break;
      case "\n":
        flush();
        out.push({ t: "br" });
        break;
      default:
        if (ch < " " && ch !== "\t") break;
        buf += ch;
    }
  }
  flush();
  return normalize(out);
}

export interface RenderIrcOptions {
  /** Plain text only (channels that want no codes). */
  plain?: boolean;
  /**
   * Code in IRC's monospace code (`\x11`). Off by default: irssi and most terminal clients show it as a reverse
   * "Q", so code goes out in backticks (inline) or as its lines (blocks), readable everywhere.
   */
  monospace?: boolean;
}

const STYLE_CODES: Partial<Record<RichNode["t"], string>> = { bold: B, italic: I, underline: U, strike: S };

class IrcRenderer implements TreeRenderer {
  private readonly mono: boolean;

  constructor(private readonly opts: RenderIrcOptions) {
    this.mono = !!opts.monospace && !opts.plain;
  }

  leaf(n: LeafNode): string {
    switch (n.t) {
      case "text":
        return n.text;
      case "br":
        return "\n";
      case "code":
        return this.mono ? `${M}${n.text}${M}` : `\`${n.text}\``;
      case "codeblock":
        return this.mono
          ? n.text
              .split("\n")
              .map((l) => `${M}${l}${M}`)
              .join("\n")
          : n.text;
      case "mention":
        return n.name;
      case "emoji":
        return `:${n.name}:`;
    }
  }

  wrap(n: ContainerNode, inner: string): string {
    switch (n.t) {
      case "spoiler":
        // IRC cannot hide text, so a spoiler's content is never sent.
        return SPOILER_PLACEHOLDER;
      case "color": {
        const fg = n.fg !== undefined && n.fg !== n.bg ? String(n.fg).padStart(2, "0") : undefined;
        if (this.opts.plain || !fg) return inner;
        return `${C}${fg}${n.bg !== undefined ? `,${String(n.bg).padStart(2, "0")}` : ""}${inner}${C}`;
      }
      case "quote":
        return inner
          .split("\n")
          .map((l) => `> ${l}`)
          .join("\n");
      case "link": {
        const label = toPlain(n.children);
        return !label || label === n.url ? n.url : `${inner} (${n.url})`;
      }
      default: {
        const code = STYLE_CODES[n.t];
        return this.opts.plain || !code ? inner : `${code}${inner}${code}`;
      }
    }
  }

  flat(n: ContainerNode, inner: string): string {
    return n.t === "link" ? `${inner} (${n.url})` : inner;
  }
}

/** RichText → IRC-coded lines (one per line of text). */
export function renderIrc(rt: RichText, opts: RenderIrcOptions = {}): string[] {
  const r = new IrcRenderer(opts);
  return splitLines(rt).flatMap((line) => renderTree(line, r).split("\n"));
}

/** A stable colour (2–13, skipping white/black) for a nick, so each sender keeps theirs. */
export function nickColour(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const palette = [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13];
  return palette[h % palette.length];
}
