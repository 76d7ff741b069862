/**
 * The IRC history-gap check: whether the history InspIRCd replays on join reaches back to the last line crier saw.
 * Replayed lines carry whole seconds and live ones milliseconds, so a loss inside the last line's own second is
 * decided by whether the replay still holds that line. Read positions survive a restart through the store.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HistoryGaps } from "../../../../src/adapters/irc/history-gap.js";
import { createLogger } from "../../../../src/core/log.js";
import { SqliteStore } from "../../../../src/store/sqlite.js";

const log = createLogger({ level: "silent" });
const T = Date.UTC(2026, 11, 2, 14, 2, 7) + 322; // 14:02:07.322, a live line's time

async function gaps(): Promise<HistoryGaps> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-gap-")), "state.db"));
  const g = new HistoryGaps(store, "irc.net", log);
  await g.load();
  return g;
}

/** Sees `last` live, then joins and replays `replay` ([ms, line]); the gap the join settles on. */
async function afterReplay(replay: [number, string][]) {
  const g = await gaps();
  g.seen("#devel", T, "ivan the last line crier saw", false);
  g.joined("#devel", 60_000, () => undefined);
  for (const [at, line] of replay) g.seen("#devel", at, line, true);
  const gap = g.settle("#devel");
  await g.close();
  return gap;
}

describe("IRC history gaps (by the second, and by the last line)", () => {
  it("no gap when the replay still holds the last line seen, in the same second", async () => {
    assert.equal(
      await afterReplay([
        [T - 322, "ivan the last line crier saw"],
        [T - 322, "ivan said while away 0"],
      ]),
      undefined,
    );
  });

  it("a gap when the replay starts in that second but no longer holds the last line", async () => {
    assert.deepEqual(await afterReplay([[T - 322, "ivan said while away 10"]]), { from: T, to: T });
  });

  it("a gap when the oldest line replayed is from a later second; none when it is older", async () => {
    assert.deepEqual(await afterReplay([[T + 4_678, "ivan said while away 10"]]), { from: T, to: T + 4_678 });
    assert.equal(await afterReplay([[T - 5_322, "ivan earlier"]]), undefined);
  });

  it("no gap without a replay, or on the first join ever", async () => {
    assert.equal(await afterReplay([]), undefined);
    const g = await gaps();
    g.joined("#devel", 60_000, () => undefined);
    g.seen("#devel", T, "ivan hello", true);
    assert.equal(g.settle("#devel"), undefined);
    await g.close();
  });

  it("the last line seen survives a restart (store), channel names folded", async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-gap-")), "state.db"));
    const first = new HistoryGaps(store, "irc.net", log);
    await first.load();
    first.seen("#Devel", T, "ivan the last line crier saw", false);
    await first.close();
    const second = new HistoryGaps(store, "irc.net", log);
    await second.load();
    second.joined("#devel", 60_000, () => undefined);
    second.seen("#devel", T - 322, "ivan said while away 10", true);
    assert.deepEqual(second.settle("#devel"), { from: T, to: T });
    await second.close();
  });
});
