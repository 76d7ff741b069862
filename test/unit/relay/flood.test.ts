/**
 * The flood policy on its own (fake time): a paced room takes a flood up to its budget, one sender up to half of
 * it; the rest is folded into one line once the sender is quiet; unpaced rooms are never folded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FloodGuard, type FoldedRun, floodBacklogMs, foldLine } from "../../../src/relay/flood.js";

const irc = { account: "irc.net", room: "#devel" };
const origin = { account: "matrix.hs", room: "!r:hs" };
const mara = { account: "matrix.hs", id: "@mara:hs", name: "mara" };
const dora = { account: "matrix.hs", id: "@dora:hs", name: "dora" };

function guard() {
  let now = 0;
  const folded: FoldedRun[] = [];
  const g = new FloodGuard(
    () => now,
    (r) => folded.push(r),
    50,
  );
  return { g, folded, advance: (ms: number) => (now += ms) };
}

describe("flood policy (relay/flood.ts)", () => {
  it("60 lines a minute and 10 s of backlog: one sender gets 5 through, the other 35 fold into one run", async () => {
    const { g, folded } = guard();
    const admitted = Array.from({ length: 40 }, () => g.admit(irc, mara, origin, "https://m/1", 60, 10_000));
    assert.equal(admitted.filter(Boolean).length, 5);
    assert.deepEqual(admitted.slice(0, 5), [true, true, true, true, true]);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(folded.length, 1);
    assert.equal(folded[0].count, 35);
    assert.equal(
      foldLine(folded[0]),
      "… 35 more messages from mara on matrix.hs not relayed here (flood): https://m/1",
    );
  });

  it("a second sender still has the other half of the room's budget", () => {
    const { g } = guard();
    for (let i = 0; i < 20; i++) g.admit(irc, mara, origin, undefined, 60, 10_000);
    const dora5 = Array.from({ length: 8 }, () => g.admit(irc, dora, origin, undefined, 60, 10_000));
    assert.equal(dora5.filter(Boolean).length, 5);
  });

  it("after the flood the budget refills at the room's pace, and the sender is relayed again", async () => {
    const { g, folded, advance } = guard();
    for (let i = 0; i < 10; i++) g.admit(irc, mara, origin, undefined, 60, 10_000);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(folded.length, 1);
    advance(2_000); // half the pace for one sender: one line per 2 s
    assert.equal(g.admit(irc, mara, origin, undefined, 60, 10_000), true);
    assert.equal(g.admit(irc, mara, origin, undefined, 60, 10_000), false);
  });

  it("an unpaced room, or a link with floodBacklog off, is never folded", () => {
    const { g } = guard();
    const matrix = { account: "matrix.hs", room: "!r:hs" };
    assert.ok(
      Array.from({ length: 500 }, () => g.admit(matrix, mara, irc, undefined, undefined, 30_000)).every(Boolean),
    );
    assert.ok(Array.from({ length: 500 }, () => g.admit(irc, mara, origin, undefined, 60, 0)).every(Boolean));
    assert.equal(floodBacklogMs({ floodBacklog: "off" }), 0);
    assert.equal(floodBacklogMs(undefined), 30_000);
    assert.equal(floodBacklogMs({ floodBacklog: "2m" }), 120_000);
  });

  it("stopping says every open fold at once", () => {
    const { g, folded } = guard();
    for (let i = 0; i < 9; i++) g.admit(irc, mara, origin, undefined, 60, 10_000);
    g.close();
    assert.equal(folded.length, 1);
    assert.equal(folded[0].count, 4);
    assert.equal(foldLine(folded[0]), "… 4 more messages from mara on matrix.hs not relayed here (flood)");
  });

  it("a message costs the lines it takes there: after a 3-line message, a 5-line share has 2 lines left", () => {
    const { g } = guard();
    const admitted = [3, 1, 1, 1].map((lines) => g.admit(irc, mara, origin, undefined, 60, 10_000, lines));
    assert.deepEqual(admitted, [true, true, true, false]);
  });

  it("a message longer than the whole share still goes when the share is full, not never", async () => {
    const { g, advance } = guard();
    assert.equal(g.admit(irc, mara, origin, undefined, 60, 10_000, 12), true);
    assert.equal(g.admit(irc, dora, origin, undefined, 60, 10_000, 1), false);
    await new Promise((r) => setTimeout(r, 120)); // dora's fold ends
    advance(60_000);
    assert.equal(g.admit(irc, dora, origin, undefined, 60, 10_000, 1), true);
  });

  it("each folded run has its own page id, and the fold line links that page when there is one", async () => {
    const { g, folded } = guard();
    for (let i = 0; i < 7; i++) g.admit(irc, mara, origin, "https://m/1", 60, 10_000);
    const open = g.openRun(irc, mara);
    assert.match(open?.id ?? "", /^[0-9a-f]{16}$/);
    assert.equal(g.openRun(irc, dora), undefined);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(folded[0].id, open?.id);
    assert.equal(
      foldLine(folded[0], `https://crier.example/folded/${open?.id}`),
      `… 2 more messages from mara on matrix.hs not relayed here (flood): https://crier.example/folded/${open?.id}`,
    );
  });
});
