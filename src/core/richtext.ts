/**
 * The one rich-text model. Every adapter parses inbound native markup (IRC codes, Matrix HTML, Discord Markdown)
 * into these nodes and renders outgoing messages from them, so no platform's raw markup ever crosses to another.
 *
 * Strangers choose how deep the formatting of their messages nests, so nothing here recurses: every walk over a
 * tree keeps its own stack, and `normalize` flattens anything nested deeper than MAX_DEPTH to its text.
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

/** A node that wraps others (formatting, quotes, links). */
export type ContainerNode = Extract<RichNode, { children: RichNode[] }>;
/** A node with no children (text, breaks, code, mentions, emoji). */
export type LeafNode = Exclude<RichNode, ContainerNode>;

/**
 * Formatting nested deeper than this is flattened to its text: nobody reads bold inside 32 levels of other
 * formatting, and every renderer's work per character stays bounded by it (quotes re-prefix their lines once per
 * level).
 */
export const MAX_DEPTH = 32;

export const text = (s: string): RichNode => ({ t: "text", text: s });

/** How a spoiler reads where it cannot be hidden (plain text, IRC): never its content. */
export const SPOILER_PLACEHOLDER = "[spoiler]";

export const isContainer = (n: RichNode): n is ContainerNode => "children" in n;

/** Builds RichText from a plain string, turning newlines into explicit line breaks. */
export function fromPlain(s: string): RichText {
  const out: RichText = [];
  s.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (i > 0) out.push({ t: "br" });
    if (line) out.push(text(line));
  });
  return out;
}

/** How one platform writes RichText as a string: leaves on their own, containers around their rendered content. */
export interface TreeRenderer {
  leaf(n: LeafNode): string;
  wrap(n: ContainerNode, inner: string): string;
  /** A container deeper than MAX_DEPTH (only in trees that did not go through `normalize`); default: its content. */
  flat?(n: ContainerNode, inner: string): string;
}

/** Renders a tree bottom-up with an explicit stack, in time linear in its size (times MAX_DEPTH at most). */
export function renderTree(rt: readonly RichNode[], r: TreeRenderer): string {
  type Frame = { nodes: readonly RichNode[]; i: number; out: string; node?: ContainerNode };
  const stack: Frame[] = [{ nodes: rt, i: 0, out: "" }];
  for (;;) {
    const f = stack[stack.length - 1];
    if (f.i < f.nodes.length) {
      const n = f.nodes[f.i++];
      if (isContainer(n)) stack.push({ nodes: n.children, i: 0, out: "", node: n });
      else f.out += r.leaf(n);
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent || !f.node) return f.out;
    // After the pop, stack.length is how deep f.node was nested. A spoiler is always one: flattening must not show it.
    parent.out +=
      stack.length <= MAX_DEPTH || f.node.t === "spoiler" ? r.wrap(f.node, f.out) : (r.flat?.(f.node, f.out) ?? f.out);
  }
}

const quoteLines = (s: string): string =>
  s
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n");

const plainRenderer: TreeRenderer = {
  leaf(n) {
    switch (n.t) {
      case "text":
      case "code":
      case "codeblock":
        return n.text;
      case "br":
        return "\n";
      case "mention":
        return n.name;
      case "emoji":
        return `:${n.name}:`;
    }
  },
  wrap(n, inner) {
    if (n.t === "link") return !inner || inner === n.url ? n.url : `${inner} (${n.url})`;
    if (n.t === "quote") return quoteLines(inner);
    if (n.t === "spoiler") return SPOILER_PLACEHOLDER;
    return inner;
  },
  flat: (n, inner) => (n.t === "link" && inner !== n.url ? `${inner} (${n.url})` : inner),
};

/** Plain-text projection: what a reader without formatting sees. Links show their real target; spoilers stay hidden. */
export function toPlain(rt: readonly RichNode[]): string {
  return renderTree(rt, plainRenderer);
}

/**
 * Merges adjacent text nodes, drops empty ones and flattens what nests deeper than MAX_DEPTH (and links inside
 * links) to its text, so parsers can be naive and renderers see clean, shallow trees. Linear, no recursion.
 */
export function normalize(rt: readonly RichNode[]): RichText {
  type Frame = {
    nodes: readonly RichNode[];
    i: number;
    out: RichText;
    node?: ContainerNode;
    inLink: boolean;
    inSpoiler: boolean;
  };
  const root: Frame = { nodes: rt, i: 0, out: [], inLink: false, inSpoiler: false };
  const stack: Frame[] = [root];
  let levels = 0;
  const push = (out: RichText, n: RichNode) => {
    const last = out[out.length - 1];
    if (n.t === "text" && last?.t === "text") out[out.length - 1] = { t: "text", text: last.text + n.text };
    else out.push(n);
  };
  for (;;) {
    const f = stack[stack.length - 1];
    if (f.i < f.nodes.length) {
      const n = f.nodes[f.i++];
      if (n.t === "text") {
        if (n.text) push(f.out, n);
      } else if (!isContainer(n)) {
        f.out.push(n);
      } else if (
        (levels >= MAX_DEPTH && !(n.t === "spoiler" && !f.inSpoiler)) ||
        (n.t === "link" && f.inLink) ||
        (n.t === "spoiler" && f.inSpoiler)
      ) {
        // Flattened: its children go straight into the enclosing node; a link keeps its target as text. A spoiler
        // at the bound stays one (one level more), with everything inside it flattened, so nothing hidden shows.
        stack.push({ nodes: n.children, i: 0, out: f.out, inLink: f.inLink, inSpoiler: f.inSpoiler });
        if (n.t === "link") stack[stack.length - 1].node = n;
      } else {
        const inLink = f.inLink || n.t === "link";
        stack.push({ nodes: n.children, i: 0, out: [], node: n, inLink, inSpoiler: f.inSpoiler || n.t === "spoiler" });
        levels++;
      }
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent) return f.out;
    if (f.out === parent.out) {
      if (f.node?.t === "link") push(parent.out, text(` (${f.node.url})`));
      continue;
    }
    levels--;
    const n = f.node as ContainerNode;
    if (f.out.length === 0 && n.t !== "link") continue;
    parent.out.push({ ...n, children: f.out } as RichNode);
  }
}

/** Visits every node depth-first (parents before children), with an explicit stack. */
export function walk(rt: readonly RichNode[], visit: (n: RichNode) => void): void {
  const stack: Array<{ nodes: readonly RichNode[]; i: number }> = [{ nodes: rt, i: 0 }];
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.i >= f.nodes.length) {
      stack.pop();
      continue;
    }
    const n = f.nodes[f.i++];
    visit(n);
    if (isContainer(n)) stack.push({ nodes: n.children, i: 0 });
  }
}

/** Rebuilds a tree with every leaf replaced by what `f` makes of it (none, one or several nodes); no recursion. */
export function mapLeaves(rt: readonly RichNode[], f: (n: LeafNode) => RichNode | RichNode[]): RichText {
  type Frame = { nodes: readonly RichNode[]; i: number; out: RichText; node?: ContainerNode };
  const stack: Frame[] = [{ nodes: rt, i: 0, out: [] }];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.i < top.nodes.length) {
      const n = top.nodes[top.i++];
      if (isContainer(n)) stack.push({ nodes: n.children, i: 0, out: [], node: n });
      else {
        const made = f(n);
        if (Array.isArray(made)) for (const m of made) top.out.push(m);
        else top.out.push(made);
      }
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent || !top.node) return top.out;
    parent.out.push({ ...top.node, children: top.out } as RichNode);
  }
}

/** Splits RichText at explicit line breaks into lines (formatting inside a line is kept). */
export function splitLines(rt: readonly RichNode[]): RichText[] {
  const lines: RichText[] = [[]];
  for (const n of rt) {
    if (n.t === "br") lines.push([]);
    else lines[lines.length - 1].push(n);
  }
  return lines;
}
