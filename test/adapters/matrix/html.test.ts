/** Matrix HTML ⇄ RichText: the allow-list parser, the escaping renderer, and what relayed text can never become. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Parser } from "htmlparser2";
import { parseMatrixHtml } from "../../../src/adapters/matrix/html-parse.js";
import { renderMatrixHtml } from "../../../src/adapters/matrix/html-render.js";
import type { RichText } from "../../../src/core/richtext.js";

const ALLOWED: Record<string, string[]> = {
  strong: [],
  em: [],
  u: [],
  del: [],
  code: ["class"],
  pre: [],
  blockquote: [],
  br: [],
  a: ["href"],
  span: ["data-mx-spoiler"],
  font: ["data-mx-color", "data-mx-bg-color"],
};

/** Every tag and attribute in `html`, as an HTML parser sees them. */
function tagsOf(html: string): Array<{ name: string; attrs: Record<string, string> }> {
  const out: Array<{ name: string; attrs: Record<string, string> }> = [];
  const p = new Parser({ onopentag: (name, attrs) => out.push({ name, attrs }) }, { decodeEntities: true });
  p.write(html);
  p.end();
  return out;
}

function assertOnlyAllowed(html: string): void {
  for (const { name, attrs } of tagsOf(html)) {
    assert.ok(name in ALLOWED, `tag <${name}> in ${html}`);
    for (const [k, v] of Object.entries(attrs)) {
      assert.ok(ALLOWED[name].includes(k), `attribute ${k} on <${name}> in ${html}`);
      if (k === "href") assert.match(v, /^(https?:|mailto:)/i, `href ${v}`);
      if (k === "class") assert.match(v, /^language-[\w+#.-]+$/, `class ${v}`);
      if (k.startsWith("data-mx-") && k !== "data-mx-spoiler") assert.match(v, /^#[0-9a-f]{6}$/);
    }
  }
}

const roundTrip = (html: string) => renderMatrixHtml(parseMatrixHtml(html)).html;

describe("Matrix HTML → RichText", () => {
  it("reads the allowed formatting", () => {
    const rt = parseMatrixHtml(
      '<strong>b</strong><em>i</em><u>u</u><del>s</del><code>c</code><a href="https://e.org/x?a=1&amp;b=2">l</a>',
    );
    assert.deepEqual(rt, [
      { t: "bold", children: [{ t: "text", text: "b" }] },
      { t: "italic", children: [{ t: "text", text: "i" }] },
      { t: "underline", children: [{ t: "text", text: "u" }] },
      { t: "strike", children: [{ t: "text", text: "s" }] },
      { t: "code", text: "c" },
      { t: "link", url: "https://e.org/x?a=1&b=2", children: [{ t: "text", text: "l" }] },
    ]);
  });

  it("reads code blocks with their language, quotes, pills, spoilers and colours", () => {
    const rt = parseMatrixHtml(
      '<pre><code class="language-python">if a &lt; b:\n  pass\n</code></pre><blockquote>q</blockquote>' +
        '<a href="https://matrix.to/#/%40bob%3Alocalhost">Bob</a> <span data-mx-spoiler="">s</span>' +
        '<font data-mx-color="#00ff00">g</font>',
      { account: "matrix.x" },
    );
    assert.deepEqual(rt, [
      { t: "codeblock", text: "if a < b:\n  pass", lang: "python" },
      { t: "br" },
      { t: "quote", children: [{ t: "text", text: "q" }] },
      { t: "br" },
      { t: "mention", name: "Bob", user: { account: "matrix.x", id: "@bob:localhost", name: "Bob" } },
      { t: "text", text: " " },
      { t: "spoiler", children: [{ t: "text", text: "s" }] },
      { t: "color", fg: 9, children: [{ t: "text", text: "g" }] },
    ]);
  });

  it("reduces everything else to text and drops scripts and the reply fallback", () => {
    const rt = parseMatrixHtml(
      '<mx-reply><blockquote><a href="https://matrix.to/#/!r/$e">In reply to</a> old</blockquote></mx-reply>' +
        '<h1>Title</h1><script>alert(1)</script><iframe src="https://evil">x</iframe><img src=x onerror=alert(1)>' +
        '<a href="javascript:alert(1)">click</a> <a href=" JaVaScRiPt:alert(1)">two</a><table><tr><td>cell</td></tr></table>',
    );
    assert.deepEqual(rt, [
      { t: "text", text: "Title" },
      { t: "br" },
      { t: "text", text: "click two" },
      { t: "br" },
      { t: "text", text: "cell" },
    ]);
  });

  it("turns paragraphs, lists and line breaks into lines", () => {
    assert.deepEqual(parseMatrixHtml("<p>one</p><p>two<br>three</p><ul><li>a</li><li>b</li></ul>"), [
      { t: "text", text: "one" },
      { t: "br" },
      { t: "text", text: "two" },
      { t: "br" },
      { t: "text", text: "three" },
      { t: "br" },
      { t: "text", text: "• a" },
      { t: "br" },
      { t: "text", text: "• b" },
    ]);
  });
});

describe("RichText → Matrix HTML", () => {
  it("escapes every piece of text and never makes a room ping", () => {
    const rt: RichText = [
      { t: "text", text: '<script>alert("x")</script> <mx-reply>forged</mx-reply> @room & @ROOM' },
      { t: "link", url: "javascript:alert(1)", children: [{ t: "text", text: "bad" }] },
      { t: "code", text: "</code><b>" },
    ];
    const { html, body } = renderMatrixHtml(rt);
    assertOnlyAllowed(html);
    assert.ok(!/@room/i.test(html) && !/@room/i.test(body), `${html} / ${body}`);
    assert.ok(html.includes("&lt;mx-reply&gt;forged"));
    assert.ok(html.includes("bad (javascript:alert(1))"), html);
  });

  it("survives a round trip of the usual formatting", () => {
    const html =
      '<strong>bold</strong> <em>italic</em> <code>x &lt; y</code> <a href="https://example.org/">link</a> ' +
      '<a href="https://matrix.to/#/@bob:localhost">Bob</a><br><pre><code class="language-ts">const a = 1;</code></pre>' +
      "<blockquote>quoted</blockquote>";
    const rt = parseMatrixHtml(html);
    assert.deepEqual(parseMatrixHtml(renderMatrixHtml(rt).html), rt);
    assert.deepEqual(renderMatrixHtml(rt).pills, ["@bob:localhost"]);
  });

  it("property: any HTML in → only allow-listed tags and attributes out", () => {
    const tag = fc.constantFrom(
      "b",
      "strong",
      "i",
      "a",
      "script",
      "iframe",
      "img",
      "mx-reply",
      "span",
      "font",
      "code",
      "pre",
      "blockquote",
      "p",
      "div",
      "style",
      "svg",
      "object",
      "x-y",
      "table",
      "td",
      "br",
    );
    const attr = fc.constantFrom(
      ' href="javascript:alert(1)"',
      ' href="https://ok.example/"',
      " href=https://matrix.to/#/@u:s",
      ' onclick="x()"',
      ' style="color:red"',
      " data-mx-spoiler",
      ' data-mx-color="#ff0000"',
      ' data-mx-color="red;x"',
      ' class="language-js"',
      ' class="language-js\' onload=x"',
      ' src="x" onerror="alert(1)"',
      "",
    );
    const piece = fc.oneof(
      fc.tuple(tag, fc.array(attr, { maxLength: 3 })).map(([t, a]) => `<${t}${a.join("")}>`),
      tag.map((t) => `</${t}>`),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("&lt;", "&amp;", "&#x3C;script&#x3E;", "<!-- c -->", "<![CDATA[x]]>", "@room", "<", ">", '"'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const out = roundTrip(pieces.join(""));
        assertOnlyAllowed(out);
        assert.ok(!/@room/i.test(out), out);
      }),
      { numRuns: 500 },
    );
  });
});
