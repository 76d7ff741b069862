/**
 * History shorter than the gap: with InspIRCd keeping 50 lines per channel and 60 said while crier was away, the
 * replay starts after the last line crier saw — the adapter reports the gap (once, between the last line seen and
 * the oldest replayed one). When the history does reach back, nothing is reported.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HistoryGapEvent } from "../../../src/core/model.js";
import { toPlain } from "../../../src/core/richtext.js";
import { type InspIRCd, startInspIRCd } from "../../testbed/inspircd.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { makeIrcAdapter, tempStore } from "./harness.js";

const gaps = (events: { kind: string }[]) => events.filter((e): e is HistoryGapEvent => e.kind === "gap");

describe("IRC history shorter than the gap", () => {
  let server: InspIRCd;
  before(async () => {
    server = await startInspIRCd({ historyLines: 50 });
  });
  after(async () => server?.stop());

  it("reports the lines the server's history no longer holds, and nothing when it holds them all", async () => {
    const store = tempStore();
    const ivy = new RawIrcClient("ivy", server.port);
    await ivy.connect();
    await ivy.join("#gap");
    const first = makeIrcAdapter(server.port, ["#gap"], {}, store);
    await first.start();
    await first.waitJoined("#gap");
    ivy.say("#gap", "seen live by crier");
    await waitUntil("the live line", () => first.messages().some((m) => m.body.length > 0));
    await first.adapter.stop();

    // Five lines while away: the history (50) holds them and the line crier saw — no gap.
    for (let i = 0; i < 5; i++) ivy.say("#gap", `short absence ${i}`);
    // Replayed lines are told from live ones by being over 2 s older than the join.
    await new Promise((r) => setTimeout(r, 2100));
    const second = makeIrcAdapter(server.port, ["#gap"], {}, store);
    await second.start();
    await second.waitJoined("#gap");
    await waitUntil("the five lines replayed", () => second.messages().filter((m) => m.backfill).length >= 5);
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(gaps(second.events), [], "no gap when the history reaches back");
    await second.adapter.stop();

    // Sixty lines while away: the history keeps only the last 50.
    const before = Date.now();
    for (let i = 0; i < 60; i++) ivy.say("#gap", `long absence ${i}`);
    await new Promise((r) => setTimeout(r, 2100));
    const third = makeIrcAdapter(server.port, ["#gap"], {}, store);
    await third.start();
    await third.waitJoined("#gap");
    await waitUntil("the gap reported", () => gaps(third.events).length > 0, 20_000);
    const replayed = third.messages().filter((m) => m.backfill);
    assert.equal(replayed.length, 50, "the server replays its 50 lines");
    assert.equal(toPlain(replayed[0].body), "long absence 10");
    const [gap] = gaps(third.events);
    assert.equal(gap.network, "IRC");
    assert.deepEqual(gap.room, { account: "irc.test", room: "#gap" });
    assert.ok(gap.from && gap.from.getTime() < before, "from: the last line crier saw, before the absence");
    assert.equal(gap.to.getTime(), replayed[0].at.getTime(), "to: the oldest line the history still holds");
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(gaps(third.events).length, 1, "reported once");
    await third.adapter.stop();
    ivy.close();
    await store.close();
  });
});
