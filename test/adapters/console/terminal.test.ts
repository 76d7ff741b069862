/** The console's keys: which room a typed line goes to, who says it, and what stays crier's to read. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { ConsoleTerminal, type TypedLine } from "../../../src/adapters/console/terminal.js";

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (d) => {
    printed += d;
  });
  const lines: TypedLine[] = [];
  const t = new ConsoleTerminal(["lobby", "dev"], "you", input, output, (l) => lines.push(l));
  t.start();
  const type = async (...text: string[]) => {
    for (const l of text) input.write(`${l}\n`);
    await new Promise((r) => setImmediate(r));
  };
  return { t, type, lines, printed: () => printed };
}

describe("console terminal", () => {
  it("sends lines to the first room until /room switches, and /room NAME TEXT says one line elsewhere", async () => {
    const c = terminal();
    await c.type("hello", "/room dev", "in dev", "/room lobby one line", "still dev");
    assert.deepEqual(
      c.lines.map((l) => [l.room, l.text]),
      [
        ["lobby", "hello"],
        ["dev", "in dev"],
        ["lobby", "one line"],
        ["dev", "still dev"],
      ],
    );
    assert.match(c.printed(), /\(now talking in dev\)/);
    c.t.stop();
  });

  it("refuses an unknown room, and /as, /me and /rooms do what /help says", async () => {
    const c = terminal();
    await c.type("/room nowhere", "/as alice", "hi", "/me waves", "/as", "back", "/rooms", "/help");
    assert.deepEqual(
      c.lines.map((l) => [l.user, l.text, !!l.action]),
      [
        ["alice", "hi", false],
        ["alice", "waves", true],
        ["you", "back", false],
      ],
    );
    assert.match(c.printed(), /no room "nowhere" here; rooms: lobby, dev/);
    assert.match(c.printed(), /\(rooms: lobby ←, dev\)/);
    assert.match(c.printed(), /\/room NAME — talk in room NAME/);
    c.t.stop();
  });

  it("passes crier commands and other slash lines on, and ignores blank lines", async () => {
    const c = terminal();
    await c.type("!help", "/time 15:00 UTC", "   ", "");
    assert.deepEqual(
      c.lines.map((l) => l.text),
      ["!help", "/time 15:00 UTC"],
    );
    c.t.stop();
  });
});
