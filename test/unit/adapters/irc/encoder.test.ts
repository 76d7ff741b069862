import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  cleanMiddle,
  encodeCommand,
  encodeLines,
  MAX_LINE_BYTES,
  prefixBytes,
  splitUtf8,
} from "../../../../src/adapters/irc/encoder.js";
import { nickColour, parseIrc, renderIrc } from "../../../../src/adapters/irc/format.js";
import { renderIrcMessage } from "../../../../src/adapters/irc/render.js";
import { fromPlain, toPlain } from "../../../../src/core/richtext.js";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("IRC line encoder", () => {
  it("keeps every relayed line within 512 bytes, with no CR/LF/NUL, no stray \\x01, valid UTF-8 (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 3000 }),
        fc.string({ maxLength: 100 }),
        fc.boolean(),
        (text, sender, action) => {
          const lines = renderIrcMessage(
            {
              room: "#chan",
              body: fromPlain(text),
              kind: "relay",
              sender: { name: sender, key: sender },
              action,
              idempotencyKey: "k",
            },
            { nick: "crier", replyAs: "notice", formatting: "irc", maxLines: 50 },
          );
          for (const l of lines) {
            assert.ok(prefixBytes("crier") + bytes(l) + 2 <= MAX_LINE_BYTES, `too long: ${bytes(l)}`);
            assert.ok(!/[\r\n\0\x01]/.test(l), "no CR, LF, NUL or CTCP");
            assert.ok(l.startsWith("PRIVMSG #chan :"));
            assert.equal(Buffer.from(l, "utf8").toString("utf8"), l);
            assert.ok(!/[\uD800-\uDFFF]/.test(l.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "")), "no lone surrogate");
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("splits on character boundaries, preferring spaces", () => {
    assert.deepEqual(splitUtf8("aaaa bbbb cccc", 9), ["aaaa bbbb", "cccc"]);
    const emoji = "😀".repeat(10);
    const parts = splitUtf8(emoji, 10);
    assert.deepEqual(parts, ["😀😀", "😀😀", "😀😀", "😀😀", "😀😀"]);
    assert.equal(splitUtf8("x".repeat(4000), 400).join(""), "x".repeat(4000));
  });

  it("wraps only crier's own CTCP frames and refuses unsafe middle parameters", () => {
    assert.deepEqual(encodeLines({ command: "PRIVMSG", target: "#c", text: "waves \x01", action: true }, "crier"), [
      "PRIVMSG #c :\x01ACTION waves \x01",
    ]);
    assert.throws(() => cleanMiddle("#a,#b x"), /unsafe/);
    assert.throws(() => cleanMiddle(":QUIT"), /unsafe/);
    assert.throws(() => encodeCommand("JOIN", ["#a\r\nQUIT"]), /unsafe/);
    assert.equal(encodeCommand("JOIN", ["#kamailio"]), "JOIN #kamailio");
    assert.throws(() => cleanMiddle("#a\r\n"), /unsafe/);
  });
});

describe("IRC formatting", () => {
  it("round-trips bold, italic, underline, strike, colour and monospace", () => {
    for (const s of [
      "\x02b\x02",
      "\x1di\x1d",
      "\x1fu\x1f",
      "\x1es\x1e",
      "\x0304red\x03",
      "\x0304,01x\x03",
      "\x11mono\x11",
      "\x02\x1dboth\x1d\x02",
    ]) {
      assert.deepEqual(renderIrc(parseIrc(s), { monospace: true }), [s], JSON.stringify(s));
    }
  });

  it("reveals text hidden by same-colour foreground and background, and drops reverse", () => {
    const rt = parseIrc("visible \x0301,01hidden\x03 \x16rev\x16");
    assert.equal(toPlain(rt), "visible hidden rev");
    assert.ok(!JSON.stringify(rt).includes('"color"'));
  });

  it("renders plain text when asked, and a stable colour per nick", () => {
    assert.deepEqual(renderIrc(parseIrc("\x02b\x02 \x0304r\x03"), { plain: true }), ["b r"]);
    assert.equal(nickColour("irc:alice"), nickColour("irc:alice"));
  });
});
