/** A reminder delivered 10–60 s after its time says it is late; one a few seconds late does not. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp } from "../../../helpers/app.js";
import { recordFired } from "./helpers.js";

const T0 = Date.UTC(2026, 10, 2, 8, 0);

describe("late mark on reminders", () => {
  for (const [lateBy, marked] of [
    [30_000, true],
    [59_000, true],
    [11_000, true],
    [3_000, false],
  ] as const) {
    it(`a reminder ${lateBy / 1000} s late is ${marked ? "" : "not "}marked late`, async () => {
      const clock = new FakeClock(T0);
      const t = await makeTestApp({ accounts: { console: { user: "op", rooms: ["a"] } } }, { clock });
      try {
        const sched = t.app.features.schedules.scheduler;
        const fired = recordFired(sched);
        await sched.upsert({
          id: `reminder:late${lateBy}`,
          kind: "reminder",
          spec: { kind: "instant", at: T0 - lateBy },
          text: "reminder: water the plants",
          targets: [{ account: "console", room: "a" }],
          graceMs: 0,
          source: "chat",
        });
        const sent = await t.console.waitFor((s) => s.text.startsWith("reminder: water the plants"));
        assert.equal(sent.text.endsWith("(late — crier was offline)"), marked, sent.text);
        assert.equal(fired[0]?.late, marked);
      } finally {
        await t.close();
      }
    });
  }
});
