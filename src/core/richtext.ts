/**
 * The one rich-text model. Every adapter parses inbound native markup (IRC codes, Matrix HTML, Discord Markdown)
 * into these nodes and renders outgoing messages from them, so no platform's raw markup ever crosses to another.
 */
import type { UserRef } from "./model.js";

export type RichNode =
  | { t: "text"; text: string }
  | { t: "br" }
  | { t: "bold" | "italic" | "underline" | "strike" | "spoiler"; children: RichNode[] }
  | { t: "color"; fg?: number; bg?: number; children: RichNode[] }
  | { t: "code"; text: string }
  | { t: "codeblock"; text: string; lang?: string }
  | { t: "quote"; children: RichNode[] }
  | { t: "link"; url: string; children: RichNode[] }
  | { t: "mention"; name: string; user?: UserRef }
  | { t: "emoji"; name: string; url?: string };

export type RichText = RichNode[];

export type StyleKind = "bold" | "italic" | "underline" | "strike" | "spoiler";

export const text = (s: string): RichNode => ({ t: "text", text: s });

/** Builds RichText from a plain string, turning newlines into explicit line breaks. */
export function fromPlain(s: string): RichText {
  const out: RichText = [];
  s.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (i > 0) out.push({ t: "br" });
    if (line) out.push(text(line));
  });
  return out;
}

/** Plain-text projection: what a reader without formatting sees. Links show their real target. */
export function toPlain(rt: RichText): string {
  let s = "";
  for (const n of rt) s += nodePlain(n);
  return s;
}

function nodePlain(n: RichNode): string {
  switch (n.t) {
    case "text":
      return n.text;
    case "br":
      return "\n";
    case "code":
      return n.text;
    case "codeblock":
      return n.text;
    case "mention":
      return n.name;
    case "emoji":
      return `:${n.name}:`;
    case "link": {
      const label = toPlain(n.children);
      return !label || label === n.url ? n.url : `${label} (${n.url})`;
    }
    case "quote":
      return toPlain(n.children)
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
    default:
      return toPlain(n.children);
  }
}

/** Merges adjacent text nodes and drops empty ones, so parsers can be naive and renderers see clean trees. */
export function normalize(rt: RichText): RichText {
  const out: RichText = [];
  for (const n of rt) {
    if (n.t === "text") {
      if (!n.text) continue;
      const last = out[out.length - 1];
      if (last?.t === "text") {
        out[out.length - 1] = { t: "text", text: last.text + n.text };
        continue;
      }
      out.push(n);
    } else if ("children" in n) {
      const children = normalize(n.children);
      if (children.length === 0 && n.t !== "link") continue;
      out.push({ ...n, children } as RichNode);
    } else {
      out.push(n);
    }
  }
  return out;
}

/** Visits every node depth-first; used by renderers and by safety checks. */
export function walk(rt: RichText, visit: (n: RichNode) => void): void {
  for (const n of rt) {
    visit(n);
    if ("children" in n) walk(n.children, visit);
  }
}

/** Splits RichText at explicit line breaks into lines (formatting inside a line is kept). */
export function splitLines(rt: RichText): RichText[] {
  const lines: RichText[] = [[]];
  for (const n of rt) {
    if (n.t === "br") lines.push([]);
    else lines[lines.length - 1].push(n);
  }
  return lines;
}
