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
    base = `http://127.0.0.1:${t.app.features.web.port}`;
  });
  after(async () => t?.close());

  it("answers /healthz and /metrics", async () => {
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    const health = await h.json();
    assert.equal(health.ok, true);
    assert.equal(health.store, "ok");
    assert.deepEqual(
      health.accounts.map((a: { account: string; state: string }) => [a.account, a.state]),
      [["console", "connected"]],
    );
    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /crier_account_connected\{account="console"\} 1/);
    // The event-loop watchdog (issue #15).
    assert.match(m, /^crier_event_loop_delay_p99_seconds \d/m);
    assert.match(m, /^crier_event_loop_delay_max_seconds \d/m);
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

  it("publishes the meeting as one RRULE series whose expansion matches the schedule, across DST changes", async () => {
    const text = await (await fetch(`${base}/calendar.ics`)).text();
    const comp = new ICAL.Component(ICAL.parse(text));
    const zones = comp.getAllSubcomponents("vtimezone");
    assert.deepEqual(
      zones.map((z) => z.getFirstPropertyValue("tzid")),
      ["Europe/Berlin"],
    );
    for (const z of zones) ICAL.TimezoneService.register(z);
    const events = comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event.uid, "devel@crier.test");
    assert.equal(event.summary, "Devel <meeting>");
    assert.equal(event.startDate.zone?.tzid, "Europe/Berlin");
    assert.match(text, /^RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE\r$/m);
    // Over 400 days the expansion always crosses both of Berlin's clock changes, whatever today is.
    const now = t.app.ctx.clock.now();
    const until = now + 400 * 86_400_000;
    const expected = occurrencesBetween(meetingSpec(t.app.ctx.config.meetings[0]), now - 3_600_000, until, 500);
    assert.deepEqual(new Set(expected.map((at) => new Date(at).getUTCHours())), new Set([14, 15]));
    const expanded: number[] = [];
    const iter = event.iterator();
    for (let next = iter.next(); next && next.toJSDate().getTime() <= until; next = iter.next()) {
      const at = next.toJSDate().getTime();
      if (at > now - 3_600_000) expanded.push(at);
    }
    assert.deepEqual(expanded, expected);
    const stamp = event.component.getFirstPropertyValue("dtstamp") as ICAL.Time;
    assert.ok(stamp.toJSDate().getTime() > Date.UTC(2020, 0, 1), "DTSTAMP is a real time");
    const one = await (await fetch(`${base}/meetings/devel.ics`)).text();
    assert.match(one, /^UID:devel@crier\.test\r$/m);
    assert.match(one, /^BEGIN:VTIMEZONE\r$/m);
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
      // One label per zone: a visitor in India sees "… Kolkata time", never the browser's "GMT+5:30" beside an IST.
      const india = await browser.newContext({ timezoneId: "Asia/Kolkata", locale: "en-US" });
      const page = await india.newPage();
      await page.goto(`${base}/meetings/devel`);
      assert.match((await page.locator("time.local").first().textContent()) ?? "", / Kolkata time$/);
      const body = (await page.locator("body").textContent()) ?? "";
      assert.ok(!/GMT[+-−]\d/.test(body), body);
      await india.close();
    } finally {
      await browser.close();
    }
  });
});
