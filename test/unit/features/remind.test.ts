/** `!remind` stores the person's words only; how a reminder reads is decided as it is sent, and reads as it always did. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../../src/services/clock.js";
import { makeTestApp } from "../../helpers/app.js";

const T0 = Date.UTC(2026, 10, 2, 8, 0);
const HOUR = 3_600_000;

describe("reminders as asked in chat", () => {
  it("one for me reads 'alice: reminder: …' and mentions her; one for the room reads as written; both stored as said", async () => {
    const clock = new FakeClock(T0);
    const t = await makeTestApp({ accounts: { console: { user: "op", rooms: ["a"] } } }, { clock });
    try {
      const asked = await t.say("!remind me in 2h check the build", { room: "a", user: "alice" });
      await t.expectSent(/^ok, .* \(in 2 hours\): check the build \[id [a-z0-9]{6}\]$/);
      await t.say("!remind here in 3h standup", { room: "a", user: "alice" });
      await t.expectSent(/^ok, .* \(in 3 hours\): standup \[id [a-z0-9]{6}\]$/);

      const scheduler = t.app.features.schedules.scheduler;
      const stored = await scheduler.list({ kind: "reminder" });
      assert.deepEqual(
        stored.map((s) => s.text),
        ["check the build", "standup"],
      );

      await t.say("!reminders", { room: "a", user: "alice" });
      const listed = await t.expectSent(/ — check the build · .* — standup$/);
      assert.ok(!listed.includes("reminder: "), listed);

      clock.set(T0 + 2 * HOUR);
      scheduler.wake();
      const mine = await t.console.waitFor(
        (s) => s.msg.idempotencyKey.startsWith("reminder:") && s.text.includes("check the build"),
      );
      assert.equal(mine.text, "alice: reminder: check the build");
      assert.deepEqual(mine.msg.allowedMentions, [asked.sender.id]);
      assert.deepEqual(mine.msg.body[0], { t: "mention", name: "alice", user: asked.sender });

      clock.set(T0 + 3 * HOUR);
      scheduler.wake();
      const room = await t.console.waitFor(
        (s) => s.msg.idempotencyKey.startsWith("reminder:") && s.text.includes("standup"),
      );
      assert.equal(room.text, "standup");
      assert.equal(room.msg.allowedMentions, undefined);
    } finally {
      await t.close();
    }
  });
});
