/**
 * A linear stream of HTML open tags, close tags and text, built on htmlparser2's Tokenizer. htmlparser2's own
 * Parser keeps its open elements with `Array.unshift` and looks closing tags up with `indexOf`, which is quadratic
 * in nesting depth (20,000 unclosed tags took 3 s), so the open elements are kept here: pushed and popped at the
 * end, closing tags found through a count per name. Every callback does constant work, except that a closing tag
 * pops the elements it closes, each of which was pushed once.
 */
import { Tokenizer } from "htmlparser2";

export interface HtmlHandler {
  open(name: string, attrs: Record<string, string>): void;
  close(name: string): void;
  text(s: string): void;
}

/** Elements that never have content (their open tag is also their end). */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

/** An open tag that ends the element on top when that one is of these kinds (HTML's implied end tags, in part). */
const P = new Set(["p"]);
const IMPLIES_CLOSE: Record<string, Set<string>> = {
  li: new Set(["li"]),
  tr: new Set(["tr", "th", "td"]),
  th: new Set(["th"]),
  td: new Set(["th", "td"]),
  dd: new Set(["dd", "dt"]),
  dt: new Set(["dd", "dt"]),
  option: new Set(["option"]),
  p: P,
  div: P,
  ul: P,
  ol: P,
  pre: P,
  table: P,
  blockquote: P,
  hr: P,
  h1: P,
  h2: P,
  h3: P,
  h4: P,
  h5: P,
  h6: P,
};

const codePoint = (cp: number): string => (cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd");

/** Feeds `html` to `h` in document order; elements still open at the end are closed, innermost first. */
export function tokenizeHtml(html: string, h: HtmlHandler): void {
  const open: string[] = [];
  const openCount = new Map<string, number>();
  let tag = "";
  let attrs: Record<string, string> = {};
  let attrName = "";
  let attrValue = "";

  const pop = () => {
    const name = open.pop() as string;
    openCount.set(name, (openCount.get(name) ?? 1) - 1);
    h.close(name);
  };
  const emitOpen = () => {
    const implied = IMPLIES_CLOSE[tag];
    while (implied && open.length && implied.has(open[open.length - 1])) pop();
    h.open(tag, attrs);
    if (VOID.has(tag)) h.close(tag);
    else {
      open.push(tag);
      openCount.set(tag, (openCount.get(tag) ?? 0) + 1);
    }
  };
  const closeTag = (name: string) => {
    if (VOID.has(name)) {
      // `</br>` is a line break in browsers; other void end tags mean nothing.
      if (name === "br") {
        h.open("br", {});
        h.close("br");
      }
      return;
    }
    if (!openCount.get(name)) return;
    while (open.length) {
      const top = open[open.length - 1];
      pop();
      if (top === name) return;
    }
  };

  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname(start, end) {
        tag = html.slice(start, end).toLowerCase();
        attrs = {};
      },
      onattribname(start, end) {
        attrName = html.slice(start, end).toLowerCase();
      },
      onattribdata(start, end) {
        attrValue += html.slice(start, end);
      },
      onattribentity(cp) {
        attrValue += codePoint(cp);
      },
      onattribend() {
        if (!Object.hasOwn(attrs, attrName)) attrs[attrName] = attrValue;
        attrValue = "";
      },
      onopentagend() {
        emitOpen();
        tag = "";
      },
      onselfclosingtag() {
        const name = tag;
        emitOpen();
        if (!VOID.has(name)) closeTag(name);
        tag = "";
      },
      onclosetag(start, end) {
        closeTag(html.slice(start, end).toLowerCase());
      },
      ontext(start, end) {
        h.text(html.slice(start, end));
      },
      ontextentity(cp) {
        h.text(codePoint(cp));
      },
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  while (open.length) pop();
}
