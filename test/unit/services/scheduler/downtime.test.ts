/** Downtime across due times, clock steps, and many stored reminders. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp } from "../../../helpers/app.js";
import { recordFired } from "./helpers.js";
import { waitUntil } from "../../../testbed/ports.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 8, 0);
const config = {
  accounts: { console: { user: "op", rooms: ["a", "admin"] } },
  adminRooms: ["console/admin"],
};

const until = (pred: () => boolean | Promise<boolean>, ms = 8000) =>
  waitUntil("the scheduler to catch up", pred, ms, { everyMs: 5 });

describe("downtime, clock steps, scale", () => {
  it("after 3 days down: 25 reminders delivered once, late and paced; 25 announcements reported missed once each", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "crier-down-"));
    const clock = new FakeClock(T0);
    const first = await makeTestApp(config, { clock, stateDir });
    const sched = first.app.features.schedules.scheduler;
    for (let i = 0; i < 25; i++) {
      const at = T0 + (i + 1) * 3_600_000;
      await sched.upsert({
        id: `reminder:r${i}`,
        kind: "reminder",
        spec: { kind: "instant", at },
        text: `reminder: task ${i}`,
        targets: [{ account: "console", room: "a" }],
        graceMs: 0,
        source: "chat",
      });
      await sched.upsert({
        id: `ann${i}`,
        kind: "announcement",
        spec: { kind: "instant", at },
        text: `announcement ${i}`,
        targets: [{ account: "console", room: "a" }],
        graceMs: 600_000,
        source: "meeting",
      });
    }
    await first.app.stop();

    clock.set(T0 + 3 * DAY);
    const second = await makeTestApp(config, { clock, stateDir });
    try {
      const fired = recordFired(second.app.features.schedules.scheduler);
      second.app.features.schedules.scheduler.wake();
      await until(() => fired.length === 50);
      assert.equal(fired.filter((f) => f.missed).length, 25);
      assert.equal(fired.filter((f) => f.late && !f.missed).length, 25);
      // Paced: one late delivery per second of (fake) time, not a storm.
      const first5 = async () => second.console.sent.filter((s) => s.room === "a").length;
      await until(async () => (await first5()) >= 1);
      assert.ok((await first5()) <= 2, "not all at once");
      for (let s = 0; s < 30; s++) {
        clock.advance(1_000);
        second.app.ctx.outbox.wake("console");
        await new Promise((r) => setTimeout(r, 10));
      }
      await until(async () => (await first5()) === 25);
      const reminders = second.console.sent.filter((s) => s.room === "a");
      assert.equal(new Set(reminders.map((r) => r.text)).size, 25);
      assert.ok(reminders.every((r) => r.text.endsWith("(late — crier was offline)")));
      assert.ok(!reminders.some((r) => r.text.startsWith("announcement")));
      const warnings = second.console.sent.filter((s) => s.room === "admin");
      assert.equal(warnings.length, 25);
      assert.match(warnings[0].text, /was due at .* while crier was offline and was not posted/);
      // A restart after that reports and delivers nothing again.
      await second.app.stop();
      const third = await makeTestApp(config, { clock, stateDir });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(third.console.sent.length, 0);
      await third.close();
    } finally {
      await second.app.stop().catch(() => undefined);
    }
  });

  it("a clock step back does not fire early or twice; a step forward fires what became due, once", async () => {
    const clock = new FakeClock(T0);
    const t = await makeTestApp(config, { clock });
    try {
      const sched = t.app.features.schedules.scheduler;
      const fired = recordFired(sched);
      await sched.upsert({
        id: "reminder:x",
        kind: "reminder",
        spec: { kind: "instant", at: T0 + 3_600_000 },
        text: "reminder: x",
        targets: [{ account: "console", room: "a" }],
        graceMs: 0,
        source: "chat",
      });
      clock.set(T0 - 3_600_000);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(fired.length, 0);
      // 5 s past due: on time (a reminder more than 10 s late is marked late, tested in late-mark.test.ts).
      clock.set(T0 + 3_600_000 + 5_000);
      await until(() => fired.length === 1);
      clock.set(T0);
      await new Promise((r) => setTimeout(r, 50));
      clock.set(T0 + 2 * 3_600_000);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(fired.length, 1);
      await t.console.waitFor((s) => s.text === "reminder: x");
    } finally {
      await t.close();
    }
  });

  it("a reminder already due when it is stored (crier slow or restarted mid-way) still fires once", async () => {
    const clock = new FakeClock(T0);
    const t = await makeTestApp(config, { clock });
    try {
      const sched = t.app.features.schedules.scheduler;
      const fired = recordFired(sched);
      await sched.upsert({
        id: "reminder:past",
        kind: "reminder",
        spec: { kind: "instant", at: T0 - 90_000 },
        text: "reminder: stored late",
        targets: [{ account: "console", room: "a" }],
        graceMs: 0,
        source: "chat",
      });
      await until(() => fired.length === 1);
      assert.equal(fired[0].late, true);
      await t.console.waitFor((s) => s.text.startsWith("reminder: stored late"));
    } finally {
      await t.close();
    }
  });

  it("starts with 100,000 stored reminders and fires the next one", async () => {
    const clock = new FakeClock(T0);
    const t = await makeTestApp(config, { clock });
    try {
      const store = t.app.ctx.store;
      await store.tx(async (tx) => {
        for (let i = 0; i < 100_000; i++) {
          const at = T0 + 3_600_000 + i * 60_000;
          await tx.run(
            "INSERT INTO schedules (id, kind, spec, offset_ms, text, targets, grace_ms, source, active, next_at, created_at) VALUES (?, 'reminder', ?, 0, ?, ?, 0, 'chat', 1, ?, ?)",
            [
              `reminder:bulk${i}`,
              JSON.stringify({ kind: "instant", at }),
              `reminder: bulk ${i}`,
              JSON.stringify([{ account: "console", room: "a" }]),
              at,
              T0,
            ],
          );
        }
      });
      const sched = t.app.features.schedules.scheduler;
      const fired = recordFired(sched);
      clock.set(T0 + 3_600_000);
      sched.wake();
      await until(() => fired.length === 1);
      assert.equal(fired[0].id, "reminder:bulk0");
      await t.console.waitFor((s) => s.text === "reminder: bulk 0");
    } finally {
      await t.close();
    }
  });
});
