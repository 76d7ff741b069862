/**
 * A meeting series starting 300 days ahead (beyond the web page's look-ahead) is one VEVENT with its RRULE in
 * /calendar.ics, and ical.js expands it to exactly the instants `crier schedule` lists; events carry DESCRIPTION
 * and URL, the feed ends in CRLF, and the meeting page has the series' title and says how often it repeats.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { stringify } from "yaml";
import { FakeClock } from "../../../src/services/clock.js";
import { makeTestApp } from "../../helpers/app.js";

const NOW = Date.UTC(2026, 11, 2, 12, 0);
const DAY = 86_400_000;
const start = DateTime.fromMillis(NOW + 300 * DAY, { zone: "Europe/Berlin" }).toFormat("yyyy-LL-dd'T'16:00");
const config = {
  accounts: { console: { user: "op", rooms: ["a"] } },
  http: { enabled: true, host: "127.0.0.1", port: 0, publicUrl: "https://crier.example.org" },
  meetings: [
    {
      id: "later",
      title: "Later devel series",
      start,
      zone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
      duration: "90m",
      place: "#kamailio-dev",
      agenda: [{ text: "Release plan", owner: "henning" }],
      reminders: ["0m"],
    },
  ],
};

describe("a series far ahead in the calendar", () => {
  it("is one VEVENT that ical.js expands to crier schedule's instants, with DESCRIPTION, URL and a final CRLF", async () => {
    const t = await makeTestApp(config, { clock: new FakeClock(NOW) });
    try {
      const base = `http://127.0.0.1:${t.app.features.web.port}`;
      const text = await (await fetch(`${base}/calendar.ics`)).text();
      assert.ok(text.endsWith("END:VCALENDAR\r\n"), "last line ends in CRLF");
      const cal = new ICAL.Component(ICAL.parse(text));
      for (const z of cal.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(z);
      const events = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
      assert.equal(events.length, 1, text);
      const [e] = events;
      assert.ok(e.isRecurring());
      assert.equal(e.uid, "later@crier.example.org");
      assert.equal(e.location, "#kamailio-dev");
      assert.equal(
        e.description,
        "Where: #kamailio-dev\nAgenda: 1. Release plan (henning)\nhttps://crier.example.org/meetings/later",
      );
      assert.equal(String(e.component.getFirstPropertyValue("url")), "https://crier.example.org/meetings/later");

      const until = NOW + 560 * DAY;
      const expanded: number[] = [];
      const iter = e.iterator();
      for (let n = iter.next(); n && n.toJSDate().getTime() <= until; n = iter.next())
        expanded.push(n.toJSDate().getTime());

      const dir = mkdtempSync(join(tmpdir(), "crier-far-"));
      const file = join(dir, "c.yaml");
      writeFileSync(file, stringify({ ...config, http: undefined }));
      const r = spawnSync(
        process.execPath,
        [
          "bin/crier.js",
          "schedule",
          "-c",
          file,
          "--state-dir",
          dir,
          "--from",
          new Date(NOW).toISOString(),
          "--until",
          new Date(until).toISOString(),
          "--json",
        ],
        { encoding: "utf8" },
      );
      assert.equal(r.status, 0, r.stderr);
      const scheduled = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { id: string; at: string })
        .filter((o) => o.id === "meeting:later:0m")
        .map((o) => Date.parse(o.at));
      assert.ok(scheduled.length >= 18, `${scheduled.length} occurrences`);
      assert.deepEqual(expanded, scheduled);
      const hours = new Set(scheduled.map((at) => new Date(at).getUTCHours()));
      assert.deepEqual([...hours].sort(), [14, 15], "both sides of a DST change");

      const page = await (await fetch(`${base}/meetings/later`)).text();
      assert.match(page, /<title>Later devel series<\/title>/);
      assert.match(
        page,
        /<h1>Later devel series<\/h1><p>Repeats every 2 weeks on Wednesday at 16:00 Berlin time\.<\/p>/,
      );
      assert.match(page, /Where: #kamailio-dev/);
      const one = await (await fetch(`${base}/meetings/later.ics`)).text();
      assert.equal(one.match(/^BEGIN:VEVENT\r$/gm)?.length, 1, "the meeting's own feed has its series too");
    } finally {
      await t.close();
    }
  });
});
