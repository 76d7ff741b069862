/** One relayed message is a few IRC lines at most, however it is shaped: many short lines or one enormous one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderIrcMessage, wireLineLimit } from "../../../../src/adapters/irc/render.js";
import { fromPlain } from "../../../../src/core/richtext.js";

const render = (text: string, moreLink?: string) =>
  renderIrcMessage(
    { room: "#c", body: fromPlain(text), kind: "relay", sender: { name: "mara" }, idempotencyKey: "k" },
    { nick: "crier", replyAs: "notice", formatting: "plain", maxLines: 5, moreLink },
  );

describe("IRC excerpts", () => {
  it("a 64 KiB line with no breaks becomes at most twice maxLines IRC lines, ending with a link", () => {
    const lines = render("é".repeat(32_000), "https://crier.test/paste/1");
    assert.equal(lines.length, wireLineLimit(5));
    assert.match(lines.at(-1)!, /^PRIVMSG #c :<m\u200bara> … \(\d+ more lines: https:\/\/crier\.test\/paste\/1\)$/);
    const hidden = Number(/… \((\d+) more/.exec(lines.at(-1)!)![1]);
    assert.ok(hidden > 100, `${hidden} lines hidden`);
  });

  it("a 5,000-character word is cut the same way; a 3,000-byte line still goes out whole", () => {
    assert.equal(render("x".repeat(5000)).length, wireLineLimit(5));
    assert.match(render("x".repeat(5000)).at(-1)!, /more lines not shown\)$/);
    const whole = render("y".repeat(3000));
    assert.ok(whole.length > 5 && whole.length <= wireLineLimit(5));
    assert.equal(whole.map((l) => l.replace(/^PRIVMSG #c :<m\u200bara> /, "")).join(""), "y".repeat(3000));
  });

  it("many short lines keep the first maxLines - 1 and say how many more there are", () => {
    const lines = render(Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n"));
    assert.deepEqual(
      lines.slice(0, 4),
      [0, 1, 2, 3].map((i) => `PRIVMSG #c :<m\u200bara> line ${i}`),
    );
    assert.equal(lines[4], "PRIVMSG #c :<m\u200bara> … (196 more lines not shown)");
    assert.equal(lines.length, 5);
  });
});
