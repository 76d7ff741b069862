/** The web page and calendars: served, escaped, valid iCalendar matching the schedule, local times in a real browser. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import ICAL from "ical.js";
import { chromium } from "playwright-core";
import { meetingSpec } from "../../src/features/schedules.js";
import { occurrencesBetween } from "../../src/services/recurrence.js";
import { makeTestApp, type TestApp } from "../helpers/app.js";

const CHROMIUM = "/usr/bin/chromium";

describe("web page and calendar", () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await makeTestApp({
      accounts: { console: { user: "op", rooms: ["a"] } },
      links: [],
      http: { enabled: true, host: "127.0.0.1", port: 0, publicUrl: "http://crier.test" },
      timezones: { world: ["UTC", "Europe/Berlin", "America/New_York"] },
      meetings: [
        {
          id: "devel",
          title: "Devel <meeting>",
          start: "2026-01-07T16:00",
          zone: "Europe/Berlin",
          rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
          place: "#kamailio-dev",
          agenda: [{ text: "<script>alert('x')</script> release", owner: "<b>henning</b>" }],
        },
      ],
    });
    base = `http://127.0.0.1:${(t.app.ctx.services.get("web") as { port: number }).port}`;
  });
  after(async () => t?.close());

  it("answers /healthz and /metrics", async () => {
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    assert.equal(await h.text(), "ok\n");
    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /crier_account_connected\{account="console"\} 1/);
  });

  it("serves the meeting page with every value escaped and no external assets", async () => {
    const res = await fetch(`${base}/meetings/devel`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await res.text();
    assert.ok(!html.includes("<script>alert"), "agenda markup is text");
    assert.match(html, /&lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt; release/);
    assert.match(html, /Devel &lt;meeting&gt;/);
    assert.ok(!/(src|href)="https?:/.test(html), "no external assets");
    assert.equal((await fetch(`${base}/meetings/nosuch`)).status, 404);
    assert.equal((await fetch(`${base}/minutes/..%2f..%2fetc%2fpasswd`)).status, 404);
  });

  it("publishes iCalendar whose instants match the schedule", async () => {
    const text = await (await fetch(`${base}/calendar.ics`)).text();
    const comp = new ICAL.Component(ICAL.parse(text));
    const events = comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    assert.ok(events.length >= 10);
    const now = t.app.ctx.clock.now();
    const expected = occurrencesBetween(
      meetingSpec(t.app.ctx.config.meetings[0]),
      now - 3_600_000,
      now + 183 * 86_400_000,
      200,
    );
    assert.deepEqual(
      events.map((e) => e.startDate.toJSDate().getTime()),
      expected,
    );
    assert.equal(new Set(events.map((e) => e.uid)).size, events.length, "stable, unique UIDs");
    assert.equal(events[0].summary, "Devel <meeting>");
    const one = await (await fetch(`${base}/meetings/devel.ics`)).text();
    assert.match(one, /BEGIN:VCALENDAR/);
  });

  it("shows the meeting time in the visitor's own zone (headless Chromium, two zones)", async () => {
    assert.ok(existsSync(CHROMIUM), "Chromium not found — run: bash scripts/testbed-install.sh");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const next = occurrencesBetween(
        meetingSpec(t.app.ctx.config.meetings[0]),
        t.app.ctx.clock.now(),
        t.app.ctx.clock.now() + 40 * 86_400_000,
        1,
      )[0];
      for (const timezoneId of ["Asia/Tokyo", "America/Los_Angeles"]) {
        const context = await browser.newContext({ timezoneId, locale: "en-GB" });
        const page = await context.newPage();
        await page.goto(`${base}/meetings/devel`);
        const shown = await page.locator("time.local").first().textContent();
        const expected = new Intl.DateTimeFormat("en-GB", {
          timeZone: timezoneId,
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        }).format(new Date(next));
        assert.ok(
          shown?.includes(expected),
          `${timezoneId}: page shows "${shown}", expected it to contain ${expected}`,
        );
        assert.equal(await page.locator("time.local").first().getAttribute("data-zone"), timezoneId);
        assert.match((await page.locator("ol").textContent()) ?? "", /<script>alert\('x'\)<\/script> release/);
        mkdirSync("test-artifacts", { recursive: true });
        await page.screenshot({ path: `test-artifacts/meeting-${timezoneId.replace("/", "_")}.png`, fullPage: true });
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });
});
