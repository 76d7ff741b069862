/**
 * Matrix `formatted_body` an attacker would send: every tag kind crier reads, nested as deep as one event allows.
 * Shared by the fuzz targets, the Synapse test and the bench, so all three look at the same input.
 */

/** Every element crier gives meaning to (plus two it reads as text), as open and close tags. */
export const NESTING_TAGS: ReadonlyArray<readonly [string, string]> = [
  ["<b>", "</b>"],
  ["<strong>", "</strong>"],
  ["<i>", "</i>"],
  ["<em>", "</em>"],
  ["<u>", "</u>"],
  ["<ins>", "</ins>"],
  ["<del>", "</del>"],
  ["<s>", "</s>"],
  ["<strike>", "</strike>"],
  ['<font data-mx-color="#ff0000">', "</font>"],
  ['<font data-mx-bg-color="#00ff00">', "</font>"],
  ["<span>", "</span>"],
  ['<a href="https://example.org/x">', "</a>"],
  ["<blockquote>", "</blockquote>"],
  ["<p>", "</p>"],
  ["<div>", "</div>"],
  ["<ul><li>", "</li></ul>"],
  ['<ol start="3"><li>', "</li></ol>"],
  ["<h3>", "</h3>"],
  ["<table><tr><td>", "</td></tr></table>"],
  ["<sup>", "</sup>"],
  ["<details>", "</details>"],
];

/** Elements that do not nest further: code, a code block, a spoiler, a pill, an image, a break, the reply fallback. */
export const LEAF_TAGS: readonly string[] = [
  "<code>c</code>",
  '<pre><code class="language-js">p</code></pre>',
  "<span data-mx-spoiler>secret</span>",
  '<a href="https://matrix.to/#/@bob:localhost">bob</a>',
  '<img data-mx-emoticon alt=":e:" src="mxc://x/y">',
  "<br>",
  "<mx-reply>dropped</mx-reply>",
];

export interface NestedHtml {
  html: string;
  /** The words written at each level, outermost first: what must come out, in this order. */
  words: string[];
  depth: number;
}

/**
 * Tags of every kind nested until the HTML would pass `maxBytes` (as JSON), each level opening with a word and,
 * every few levels, a leaf element. `closed: false` leaves every element open (the parser closes them at the end).
 */
export function nestedHtml(maxBytes: number, opts: { words?: boolean; closed?: boolean } = {}): NestedHtml {
  const words: string[] = [];
  const opens: string[] = [];
  const closes: string[] = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const [open, close] = NESTING_TAGS[i % NESTING_TAGS.length];
    const word = opts.words === false ? "" : `w${i} `;
    const leaf = i % 5 === 4 ? LEAF_TAGS[((i / 5) % LEAF_TAGS.length) | 0] : "";
    const piece = open + word + (leaf ? `${leaf} ` : "");
    const cost = JSON.stringify(piece).length - 2 + (opts.closed === false ? 0 : close.length);
    if (size + cost + 8 > maxBytes) break;
    size += cost;
    opens.push(piece);
    closes.push(close);
    if (word) words.push(word.trim());
  }
  words.push("deep");
  const inner = opens.join("") + "deep";
  const html = opts.closed === false ? inner : inner + closes.reverse().join("");
  return { html, words, depth: opens.length };
}

/** `<tag>` nested `depth` times around "deep", cycling through the nesting kinds (or only `tag` when given). */
export function deepHtml(depth: number, tag?: readonly [string, string]): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    const [o, c] = tag ?? NESTING_TAGS[i % NESTING_TAGS.length];
    open += o;
    close = c + close;
  }
  return `${open}deep${close}`;
}

/** Whether `words` appear in `text` in this order (other text may come between them). */
export function inOrder(text: string, words: readonly string[]): string | undefined {
  let at = 0;
  for (const w of words) {
    const re = new RegExp(`(?<![\\w])${w}(?![\\w])`, "g");
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return w;
    at = m.index + w.length;
  }
  return undefined;
}
