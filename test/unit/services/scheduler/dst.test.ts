/** The DST matrix through the live engine (fake clock), and `crier schedule` agreeing with it on every instant. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp } from "../../../helpers/app.js";
import { advanceTo, recordFired } from "./helpers.js";

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const schedules = [
  {
    id: "weekly",
    cron: "0 16 * * 3",
    zone: "Europe/Berlin",
    text: "Devel meeting now — {time:world}",
    to: ["console/a"],
  },
  { id: "daily-0230", cron: "30 2 * * *", zone: "Europe/Berlin", text: "nightly", to: ["console/a"] },
  {
    id: "biweekly",
    rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    start: "2026-01-07T16:00",
    zone: "Europe/Berlin",
    text: "every other Wednesday",
    to: ["console/a"],
  },
];

async function runEngine(from: number, until: number) {
  const clock = new FakeClock(from);
  const t = await makeTestApp(
    {
      accounts: { console: { user: "op", rooms: ["a"] } },
      schedules,
      timezones: { world: ["UTC", "Europe/Berlin", "America/New_York"] },
    },
    { clock },
  );
  const scheduler = t.app.features.schedules.scheduler;
  const fired = recordFired(scheduler);
  const nextDue = async () => {
    const r = await t.app.ctx.store.get<{ t: number | null }>(
      "SELECT MIN(next_at) AS t FROM schedules WHERE active = 1",
    );
    return r?.t === null || r?.t === undefined ? null : Number(r.t);
  };
  await advanceTo(clock, scheduler, fired, until, nextDue);
  return { t, fired };
}

describe(`schedules across DST (host TZ ${process.env.TZ ?? "unset"})`, () => {
  it("fires weekly, daily-at-02:30 and biweekly schedules by the calendar in their zone, once each, matching crier schedule", async () => {
    const from = Date.UTC(2026, 2, 10);
    const until = Date.UTC(2026, 3, 10);
    const { t, fired } = await runEngine(from, until);
    try {
      const byId = (id: string) => fired.filter((f) => f.id === `config:${id}`).map((f) => iso(f.due));
      const weekly = byId("weekly");
      assert.deepEqual(weekly, [
        "2026-03-11T15:00:00Z",
        "2026-03-18T15:00:00Z",
        "2026-03-25T15:00:00Z",
        "2026-04-01T14:00:00Z",
        "2026-04-08T14:00:00Z",
      ]);
      const daily = byId("daily-0230");
      assert.equal(daily.filter((d) => d.startsWith("2026-03-29")).length, 1, "once on the gap day");
      assert.ok(daily.includes("2026-03-29T01:30:00Z"), "02:30 on the gap day is taken as 03:30 CEST = 01:30Z");
      assert.ok(daily.includes("2026-03-28T01:30:00Z") && daily.includes("2026-03-30T00:30:00Z"));
      assert.equal(daily.length, 31);
      assert.ok(fired.every((f) => !f.late && !f.missed));
      // The first announcement went out with the world table of its own week (US already on summer time).
      await t.console.waitFor((s) => s.text === "Devel meeting now — 15:00 UTC = 16:00 Berlin = 11:00 New York");

      const dir = mkdtempSync(join(tmpdir(), "crier-sched-"));
      const cfg = join(dir, "c.yaml");
      writeFileSync(cfg, stringify({ accounts: { console: { rooms: ["a"] } }, schedules }));
      const r = spawnSync(
        process.execPath,
        [
          "bin/crier.js",
          "schedule",
          "--config",
          cfg,
          "--state-dir",
          dir,
          "--from",
          iso(from + 1),
          "--until",
          iso(until),
          "--json",
        ],
        {
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const preview = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { id: string; at: string; kind: string });
      assert.deepEqual(
        preview.map((p) => `${p.id} ${p.at}`).sort(),
        fired.map((f) => `${f.id.replace(/^config:/, "")} ${iso(f.due)}`).sort(),
      );
      assert.ok(preview.every((p) => p.kind === "announcement"));
    } finally {
      await t.close();
    }
  });

  it("fires exactly once on the fall-back day (00:30Z), and biweekly keeps its cadence across 2026→2027 (ISO week 53)", async () => {
    const { t, fired } = await runEngine(Date.UTC(2026, 9, 20), Date.UTC(2027, 1, 1));
    try {
      const daily = fired.filter((f) => f.id === "config:daily-0230").map((f) => iso(f.due));
      assert.deepEqual(
        daily.filter((d) => d.startsWith("2026-10-25")),
        ["2026-10-25T00:30:00Z"],
      );
      assert.ok(daily.includes("2026-10-24T00:30:00Z") && daily.includes("2026-10-26T01:30:00Z"));
      const biweekly = fired.filter((f) => f.id === "config:biweekly").map((f) => iso(f.due));
      assert.deepEqual(biweekly.slice(-4), [
        "2026-12-09T15:00:00Z",
        "2026-12-23T15:00:00Z",
        "2027-01-06T15:00:00Z",
        "2027-01-20T15:00:00Z",
      ]);
      for (let i = 1; i < biweekly.length; i++) {
        const days = (Date.parse(biweekly[i]) - Date.parse(biweekly[i - 1])) / 86_400_000;
        assert.ok(Math.abs(days - 14) <= 1 / 24, `14 days apart (±1h for DST): ${biweekly[i - 1]} → ${biweekly[i]}`);
      }
    } finally {
      await t.close();
    }
  });
});
