import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MembershipEvent } from "../../../src/core/model.js";
import { MembershipCoalescer } from "../../../src/relay/membership-noise.js";
import { FakeClock } from "../../../src/services/clock.js";

const room = { account: "irc.t", room: "#devel" };
const nick = (from: string, to: string, at: number): MembershipEvent => ({
  kind: "nick",
  room,
  user: { account: "irc.t", id: from, name: from },
  newName: to,
  at: new Date(at),
});
const join = (who: string, at: number, kind: "join" | "part" = "join"): MembershipEvent => ({
  kind,
  room,
  user: { account: "irc.t", id: who, name: who },
  at: new Date(at),
});
const tick = () => new Promise((r) => setImmediate(r));

describe("membership noise", () => {
  it("500 nick changes: three relayed as they happen, the rest one line per window", async () => {
    const clock = new FakeClock(1_000_000);
    const lines: string[] = [];
    const c = new MembershipCoalescer(clock, async (_e, text) => void lines.push(text), 10_000);
    let passed = 0;
    let name = "mallory";
    for (let i = 0; i < 500; i++) {
      const next = i === 499 ? "mal" : `mallory${i}`;
      if (c.admit(nick(name, next, clock.now()))) passed++;
      name = next;
      if (i === 300) {
        clock.advance(10_000);
        await tick();
      }
    }
    clock.advance(10_000);
    await tick();
    clock.advance(10_000);
    await tick();
    assert.equal(passed, 3);
    assert.deepEqual(lines, [
      "mallory2 changed nick 298 times, now mallory300",
      "mallory300 changed nick 199 times, now mal",
    ]);
    c.stop();
  });

  it("ordinary comings and goings pass one by one; other people and rooms are separate", async () => {
    const clock = new FakeClock(0);
    const lines: string[] = [];
    const c = new MembershipCoalescer(clock, async (_e, text) => void lines.push(text), 10_000);
    assert.equal(c.admit(join("bob", 1)), true);
    assert.equal(c.admit(nick("bob", "Bob the Builder", 2)), true);
    assert.equal(c.admit(join("Bob the Builder", 3, "part")), true);
    assert.equal(c.admit(join("ann", 4)), true);
    assert.equal(c.admit(join("Bob the Builder", 5)), false);
    assert.equal(c.admit(join("Bob the Builder", 6, "part")), false);
    clock.advance(10_000);
    await tick();
    assert.deepEqual(lines, ["Bob the Builder joined once, left once"]);
    c.stop();
  });
});
