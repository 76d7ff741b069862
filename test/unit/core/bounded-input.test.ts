/**
 * Hostile nesting (issue #15): every parser and renderer that sees a stranger's markup survives any depth, keeps
 * the text, and flattens formatting beyond the bound. Correctness only; the speed is measured by `npm run bench`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDiscord, parseDiscord } from "../../../src/adapters/discord/markdown.js";
import { splitContent } from "../../../src/adapters/discord/render.js";
import { parseIrc, renderIrc } from "../../../src/adapters/irc/format.js";
import { MAX_HTML_CHARS, parseMatrixHtml } from "../../../src/adapters/matrix/html-parse.js";
import { renderMatrixHtml } from "../../../src/adapters/matrix/html-render.js";
import { renderMatrixContents } from "../../../src/adapters/matrix/render.js";
import {
  MAX_DEPTH,
  type RichNode,
  type RichText,
  isContainer,
  mapLeaves,
  normalize,
  toPlain,
  walk,
} from "../../../src/core/richtext.js";
import { deepHtml, inOrder, NESTING_TAGS, nestedHtml } from "../../fuzz/hostile-html.js";

/** How deep a tree nests, measured without recursion. */
function depthOf(rt: RichText): number {
  let max = 0;
  const stack: Array<[RichNode, number]> = rt.map((n) => [n, 1]);
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (!isContainer(n)) continue;
    max = Math.max(max, d);
    for (const c of n.children) stack.push([c, d + 1]);
  }
  return max;
}

/** A tree built directly (not parsed), `depth` levels of `t` around one word. */
function deepTree(depth: number, t: "bold" | "quote" | "link" | "spoiler" = "bold"): RichText {
  let rt: RichText = [{ t: "text", text: "deep" }];
  for (let i = 0; i < depth; i++)
    rt = [t === "link" ? { t, url: "https://example.org/", children: rt } : { t, children: rt }];
  return rt;
}

describe("Matrix HTML nested beyond any bound", () => {
  for (const [open, close] of NESTING_TAGS) {
    // As deep as one Matrix event can hold (formatted_body is read up to MAX_HTML_CHARS).
    const depth = Math.floor(MAX_HTML_CHARS / (open.length + close.length + 1));
    it(`${open} nested ${depth} deep reads as its text, flattened below the bound`, () => {
      const rt = parseMatrixHtml(deepHtml(depth, [open, close]));
      assert.ok(depthOf(rt) <= MAX_DEPTH, `depth ${depthOf(rt)}`);
      assert.ok(toPlain(rt).includes("deep"), "the innermost text is there");
    });
  }

  it("<b> nested 20,000 deep (140 KB) is read up to the size cap, without error", () => {
    const rt = parseMatrixHtml(deepHtml(20_000, ["<b>", "</b>"]));
    assert.ok(toPlain(rt).includes("deep"));
    assert.ok(depthOf(rt) <= MAX_DEPTH);
    assert.equal(toPlain(parseMatrixHtml(`${"x".repeat(MAX_HTML_CHARS)}tail`)), "x".repeat(MAX_HTML_CHARS));
  });

  it("a 64 KB event of every tag kind keeps every word, in order", () => {
    const n = nestedHtml(64_000);
    assert.ok(n.depth > 1000, `only ${n.depth} levels`);
    const rt = parseMatrixHtml(n.html);
    assert.ok(depthOf(rt) <= MAX_DEPTH + 1);
    assert.equal(inOrder(toPlain(rt), n.words), undefined);
    // The spoiler leaves stay hidden in every plain rendering, however deep they were.
    assert.ok(!toPlain(rt).includes("secret"));
    assert.ok(!renderIrc(rt).join("\n").includes("secret"));
  });

  it("20,000 unclosed tags and 20,000 stray closing tags are read (the parser closes what is open)", () => {
    const rt = parseMatrixHtml(`${"<b><i>".repeat(10_000)}x${"</u></em>".repeat(10_000)}`);
    assert.equal(toPlain(rt), "x");
    assert.deepEqual(parseMatrixHtml("<b>a<i>b</b>c"), [
      {
        t: "bold",
        children: [
          { t: "text", text: "a" },
          { t: "italic", children: [{ t: "text", text: "b" }] },
        ],
      },
      { t: "text", text: "c" },
    ]);
  });

  it("a spoiler deeper than the bound is still a spoiler", () => {
    const html = `${"<b>".repeat(100)}<span data-mx-spoiler>hidden</span>${"</b>".repeat(100)}`;
    const rt = parseMatrixHtml(html);
    let spoilers = 0;
    walk(rt, (n) => {
      if (n.t === "spoiler") spoilers++;
    });
    assert.equal(spoilers, 1);
    assert.match(renderMatrixHtml(rt).html, /<span data-mx-spoiler="">hidden<\/span>/);
    assert.equal(renderIrc(rt, { plain: true }).join(""), "[spoiler]");
  });
});

describe("RichText walks keep their own stack", () => {
  for (const t of ["bold", "quote", "link", "spoiler"] as const) {
    it(`${t} nested 100,000 deep: normalize, toPlain, walk, mapLeaves and every renderer survive`, () => {
      const raw = deepTree(100_000, t);
      const flat = normalize(raw);
      assert.ok(depthOf(flat) <= MAX_DEPTH + 1);
      let leaves = 0;
      walk(raw, (n) => {
        if (n.t === "text") leaves++;
      });
      assert.equal(leaves, 1);
      assert.equal(depthOf(mapLeaves(raw, (n) => n)), 100_000);
      for (const rt of [raw, flat]) {
        const plain = toPlain(rt);
        if (t === "spoiler") assert.equal(plain, "[spoiler]");
        else assert.match(plain, /deep/);
        assert.equal(typeof renderIrc(rt).join(""), "string");
        assert.equal(typeof renderMatrixHtml(rt).html, "string");
        assert.equal(typeof renderDiscord(rt), "string");
      }
    });
  }

  it("normalize flattens a link inside a link to its text and target", () => {
    const rt = normalize([
      {
        t: "link",
        url: "https://a.example/",
        children: [{ t: "link", url: "https://b.example/", children: [{ t: "text", text: "b" }] }],
      },
    ]);
    assert.deepEqual(rt, [
      { t: "link", url: "https://a.example/", children: [{ t: "text", text: "b (https://b.example/)" }] },
    ]);
  });
});

describe("Discord Markdown and IRC codes from strangers", () => {
  it("pathological Markdown parses to its text", () => {
    for (const s of [
      "*".repeat(4000),
      "**a".repeat(1333),
      "||".repeat(2000),
      "[a](http://".repeat(363),
      "<".repeat(4000),
    ]) {
      const rt = parseDiscord(s);
      assert.ok(depthOf(rt) <= 10, `depth ${depthOf(rt)}`);
      assert.ok(toPlain(rt).length > 0);
    }
    assert.deepEqual(parseDiscord("**b** ||s|| `c`"), [
      { t: "bold", children: [{ t: "text", text: "b" }] },
      { t: "text", text: " " },
      { t: "spoiler", children: [{ t: "text", text: "s" }] },
      { t: "text", text: " " },
      { t: "code", text: "c" },
    ]);
  });

  it("IRC codes toggled 500 times nest at most five deep", () => {
    const rt = parseIrc("\x02\x1d\x1f\x1e\x11x".repeat(100));
    assert.ok(depthOf(rt) <= 5);
  });

  it("long Discord content splits at spaces into parts of at most 2,000 characters, losing nothing", () => {
    const s = "word ".repeat(2000).trim();
    const parts = splitContent(s);
    assert.ok(parts.every((p) => [...p].length <= 2000));
    assert.equal(parts.join(" "), s);
    const emoji = "😀".repeat(4100);
    assert.equal(splitContent(emoji).join(""), emoji);
  });

  it("a 5,000-line Matrix relay splits into contents under the limit, in order, with every line", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const body: RichText = lines.flatMap((l, i): RichNode[] => [
      ...(i ? [{ t: "br" } as RichNode] : []),
      { t: "bold", children: [{ t: "text", text: l }] },
    ]);
    const contents = renderMatrixContents(
      { room: "!r:x", body, kind: "relay", sender: { name: "alice" }, idempotencyKey: "k" },
      { senderTemplate: "<strong>{name}</strong>: ", maxBytes: 20_000 },
    );
    assert.ok(contents.length > 1);
    for (const c of contents) assert.ok(Buffer.byteLength(JSON.stringify(c)) <= 20_000 + 200);
    const text = contents.map((c) => c.body.replace(/^alice: /, "")).join("\n");
    assert.equal(text, lines.join("\n"));
  });
});

describe("code and spoilers on IRC (issues #18, #22)", () => {
  it("inline code in backticks and code blocks as their lines, without \\x11, by default", () => {
    const rt: RichText = [
      { t: "text", text: "run " },
      { t: "code", text: "npm ci" },
      { t: "br" },
      { t: "codeblock", text: "int main() {\n  return 0;\n}", lang: "c" },
    ];
    const lines = renderIrc(rt);
    assert.deepEqual(lines, ["run `npm ci`", "int main() {", "  return 0;", "}"]);
    assert.ok(!lines.join("").includes("\x11"));
    assert.deepEqual(renderIrc(rt, { plain: true }), lines);
  });

  it("\\x11 only with monospace: true", () => {
    assert.deepEqual(renderIrc([{ t: "code", text: "x" }], { monospace: true }), ["\x11x\x11"]);
    assert.deepEqual(renderIrc([{ t: "codeblock", text: "a\nb" }], { monospace: true }), ["\x11a\x11", "\x11b\x11"]);
  });

  it("a Discord spoiler reaches IRC as [spoiler], never in clear; Matrix keeps it hidden too", () => {
    const rt = parseDiscord("the killer is ||the butler|| obviously");
    const irc = renderIrc(rt).join("\n");
    assert.equal(irc, "the killer is [spoiler] obviously");
    assert.equal(toPlain(rt), "the killer is [spoiler] obviously");
    const m = renderMatrixHtml(rt);
    assert.match(m.html, /<span data-mx-spoiler="">the butler<\/span>/);
    assert.ok(!m.body.includes("butler"), "the plain body (notifications) does not show it");
    assert.match(renderDiscord(rt), /\|\|the butler\|\|/);
  });
});
