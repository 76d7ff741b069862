/** The history replay on join is waited for whole: a replay that began is awaited past the settle time. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HistoryReplays } from "../../../../src/adapters/irc/replay.js";
import { SystemClock } from "../../../../src/services/clock.js";

const START = "@time=2026-12-02T17:00:17.078Z :irc.test.local BATCH +1 chathistory :#h";

describe("IRC history replays", () => {
  // The clock's sleeps do not hold the process open (the daemon keeps itself alive); the test must.
  let alive: NodeJS.Timeout;
  before(() => {
    alive = setInterval(() => undefined, 1_000);
  });
  after(() => clearInterval(alive));
  it("with no replay begun, settles after the settle time", async () => {
    const clock = new SystemClock();
    const r = new HistoryReplays(clock, 50);
    r.joined("#h");
    const t0 = Date.now();
    await r.settled("#h", t0);
    assert.ok(Date.now() - t0 >= 45, "waited the settle time");
  });

  it("a replay that began is waited for past the settle time, until it ends", async () => {
    const clock = new SystemClock();
    const r = new HistoryReplays(clock, 50);
    r.joined("#H");
    r.rawLine(START);
    let ended = false;
    setTimeout(() => {
      ended = true;
      r.ended("#h");
    }, 300);
    await r.settled("#h", Date.now());
    assert.ok(ended, "settled only once the batch ended");
  });

  it("a replay already over settles at once; a new join waits again", async () => {
    const clock = new SystemClock();
    const r = new HistoryReplays(clock, 5_000);
    r.joined("#h");
    r.rawLine(START);
    r.ended("#h");
    const t0 = Date.now();
    await r.settled("#h", t0);
    assert.ok(Date.now() - t0 < 1_000, "no wait after the replay ended");
    r.joined("#h");
    const again = r.settled("#h", Date.now());
    const first = await Promise.race([
      again.then(() => "settled"),
      new Promise((x) => setTimeout(() => x("waiting"), 200)),
    ]);
    assert.equal(first, "waiting");
  });

  it("ignores other lines and other channels' batches", () => {
    const r = new HistoryReplays(new SystemClock(), 50);
    r.joined("#h");
    r.rawLine(":irc.test.local BATCH +2 chathistory :#other");
    r.rawLine(":alice!a@h PRIVMSG #h :BATCH +3 chathistory :#h is what I typed");
    r.ended("#nowhere");
    assert.doesNotThrow(() => r.rawLine(""));
  });
});
