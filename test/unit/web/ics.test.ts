/**
 * The iCalendar feed: a recurring meeting is one VEVENT (TZID + RRULE + VTIMEZONE) that ical.js expands to the
 * schedule's instants across DST changes, also in zones the old 2018 data had wrong; a VTIMEZONE that disagrees with
 * the tz database gives UTC occurrences instead; UIDs are stable; SEQUENCE and DTSTAMP move only when the meeting
 * changes, also across restarts; text cannot break out of its property.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import ICAL from "ical.js";
import { meetingSpec } from "../../../src/features/schedules.js";
import { FakeClock } from "../../../src/services/clock.js";
import { occurrencesBetween } from "../../../src/services/recurrence.js";
import { calendarIcs } from "../../../src/web/ics.js";
import { upcoming } from "../../../src/web/upcoming.js";
import { checkedVtimezone } from "../../../src/web/vtimezone.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";

const HOST = "crier.test";
const NOW = Date.UTC(2026, 0, 10, 12, 0);
const DAY = 86_400_000;
/** Weekly on Wednesdays at 15:00 Berlin time: spans the changes on 29 Mar 2026 and 25 Oct 2026. */
const weekly = {
  id: "weekly",
  title: "Weekly sync",
  start: "2026-01-07T15:00",
  zone: "Europe/Berlin",
  rrule: "FREQ=WEEKLY;BYDAY=WE",
  duration: "45m",
  place: "#dev",
};

/**
 * America/Sao_Paulo as @touch4it/ical-timezones 1.9.0 shipped it (tzdata 2018g, before Brazil dropped DST in 2019):
 * a real out-of-date block, for the fallback.
 */
const SAO_PAULO_2018G = [
  "BEGIN:VTIMEZONE",
  "TZID:America/Sao_Paulo",
  "X-LIC-LOCATION:America/Sao_Paulo",
  "BEGIN:DAYLIGHT",
  "TZOFFSETFROM:-0300",
  "TZOFFSETTO:-0200",
  "TZNAME:-02",
  "DTSTART:19701101T000000",
  "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
  "END:DAYLIGHT",
  "BEGIN:STANDARD",
  "TZOFFSETFROM:-0300",
  "TZOFFSETTO:-0300",
  "TZNAME:-03",
  "DTSTART:19700215T000000",
  "RRULE:FREQ=YEARLY;BYMONTH=2;BYDAY=3SU",
  "END:STANDARD",
  "END:VTIMEZONE",
].join("\r\n");

const stateDirs: string[] = [];
after(() => {
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
});

function newStateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "crier-ics-"));
  stateDirs.push(d);
  return d;
}

const start = (meetings: unknown[], clock: FakeClock, stateDir: string) =>
  makeTestApp({ accounts: { console: { user: "op", rooms: ["a"] } }, meetings }, { clock, stateDir });

async function render(t: TestApp): Promise<string> {
  return calendarIcs(t.app.ctx, "Meetings", await upcoming(t.app.ctx, t.app.features.meetings), HOST);
}

/** Parses a calendar, registering its VTIMEZONEs first so TZID times resolve to them. */
function parse(text: string): { cal: ICAL.Component; events: ICAL.Event[]; tzids: string[] } {
  const cal = new ICAL.Component(ICAL.parse(text));
  const zones = cal.getAllSubcomponents("vtimezone");
  for (const z of zones) ICAL.TimezoneService.register(z);
  const tzids = zones.map((z) => String(z.getFirstPropertyValue("tzid")));
  return { cal, events: cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)), tzids };
}

function expand(event: ICAL.Event, until: number): number[] {
  const out: number[] = [];
  const iter = event.iterator();
  for (let next = iter.next(); next; next = iter.next()) {
    const at = next.toJSDate().getTime();
    if (at > until) break;
    out.push(at);
  }
  return out;
}

describe("iCalendar feed", () => {
  it("writes a recurring meeting as one VEVENT with RRULE and VTIMEZONE that expands to the schedule across DST", async () => {
    const t = await start([weekly], new FakeClock(NOW), newStateDir());
    try {
      const text = await render(t);
      assert.match(text, /^DTSTART;TZID=Europe\/Berlin:20260107T150000\r$/m);
      assert.match(text, /^DTEND;TZID=Europe\/Berlin:20260107T154500\r$/m);
      assert.match(text, /^RRULE:FREQ=WEEKLY;BYDAY=WE\r$/m);
      const { events, tzids } = parse(text);
      assert.deepEqual(tzids, ["Europe/Berlin"]);
      assert.equal(events.length, 1, "one VEVENT for the series");
      const [e] = events;
      assert.ok(e.isRecurring());
      assert.equal(e.startDate.zone?.tzid, "Europe/Berlin", "DTSTART resolved through the VTIMEZONE");
      const until = NOW + 300 * DAY;
      const expected = occurrencesBetween(meetingSpec(t.app.ctx.config.meetings[0]), NOW - 7 * DAY, until);
      assert.ok(expected.length >= 40);
      assert.deepEqual(expand(e, until), expected);
      const hours = new Set(expected.map((at) => new Date(at).getUTCHours()));
      assert.deepEqual([...hours].sort(), [13, 14], "both sides of the DST changes are covered");
      assert.equal(e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime(), 45 * 60_000);
    } finally {
      await t.close();
    }
  });

  it("gives Sao_Paulo, Kyiv and the Asia/Calcutta alias a VTIMEZONE that ical.js expands to the schedule", async () => {
    const series = [
      { id: "sp", title: "SP", start: "2026-01-07T10:00", zone: "America/Sao_Paulo", rrule: "FREQ=WEEKLY" },
      { id: "kyiv", title: "Kyiv", start: "2026-01-08T18:30", zone: "Europe/Kyiv", rrule: "FREQ=WEEKLY;BYDAY=TH" },
      { id: "in", title: "IN", start: "2026-01-09T09:00", zone: "Asia/Calcutta", rrule: "FREQ=WEEKLY;BYDAY=FR" },
    ];
    const t = await start(series, new FakeClock(NOW), newStateDir());
    try {
      const text = await render(t);
      const { events, tzids } = parse(text);
      assert.deepEqual(tzids.sort(), ["America/Sao_Paulo", "Asia/Calcutta", "Europe/Kyiv"], "alias keeps its name");
      assert.match(text, /^DTSTART;TZID=Asia\/Calcutta:20260109T090000\r$/m);
      assert.equal(events.length, 3, "one VEVENT per series, no UTC fallback");
      const until = NOW + 300 * DAY;
      const utcHours = new Map<string, number[]>();
      for (const m of t.app.ctx.config.meetings) {
        const e = events.find((x) => x.uid === `${m.id}@${HOST}`);
        assert.ok(e, m.id);
        assert.ok(e.isRecurring(), m.id);
        assert.equal(e.startDate.zone?.tzid, m.zone, `${m.id}: DTSTART resolved through its VTIMEZONE`);
        const expected = occurrencesBetween(meetingSpec(m), NOW - 7 * DAY, until);
        assert.ok(expected.length >= 40);
        assert.deepEqual(expand(e, until), expected, m.id);
        utcHours.set(m.id, [...new Set(expected.map((at) => new Date(at).getUTCHours()))].sort());
      }
      assert.deepEqual(utcHours.get("sp"), [13], "Sao Paulo keeps -03 all year (no DST since 2019)");
      assert.deepEqual(utcHours.get("kyiv"), [15, 16], "Kyiv's series crosses both DST changes");
      assert.deepEqual(utcHours.get("in"), [3], "09:00 at +05:30");
    } finally {
      await t.close();
    }
  });

  it("falls back to UTC occurrences where a VTIMEZONE disagrees with the tz database", async () => {
    const stale = () => SAO_PAULO_2018G;
    const jan = Date.UTC(2026, 0, 7, 13);
    const jul = Date.UTC(2026, 6, 1, 13);
    assert.equal(checkedVtimezone("America/Sao_Paulo", [jan], stale), undefined, "2018 data has DST in January");
    assert.match(
      checkedVtimezone("America/Sao_Paulo", [jul], stale) ?? "",
      /^TZID:America\/Sao_Paulo$/m,
      "not in July",
    );
    assert.equal(checkedVtimezone("America/Sao_Paulo", [jul, jan], stale), undefined, "one wrong instant is enough");
    assert.equal(
      checkedVtimezone("America/Sao_Paulo", [jan], () => undefined),
      undefined,
      "no block at all",
    );
    const sp = { id: "sp", title: "SP", start: "2026-01-07T10:00", zone: "America/Sao_Paulo", rrule: "FREQ=WEEKLY" };
    const t = await start([sp], new FakeClock(NOW), newStateDir());
    try {
      const { events, tzids } = parse(
        await calendarIcs(t.app.ctx, "Meetings", await upcoming(t.app.ctx, t.app.features.meetings), HOST, stale),
      );
      assert.deepEqual(tzids, []);
      const expected = occurrencesBetween(meetingSpec(t.app.ctx.config.meetings[0]), NOW - DAY, NOW + 183 * DAY, 200);
      assert.deepEqual(
        events.map((e) => e.startDate.toJSDate().getTime()),
        expected,
      );
      assert.ok(events.every((e) => e.startDate.zone?.tzid === "UTC" && !e.isRecurring()));
      assert.equal(events[0].uid, `sp-2026-01-14@${HOST}`);
    } finally {
      await t.close();
    }
  });

  it("keeps UIDs across renders and restarts; SEQUENCE and DTSTAMP change only with the meeting", async () => {
    const stateDir = newStateDir();
    const clock = new FakeClock(NOW);
    let t = await start([weekly], clock, stateDir);
    const proposal = async () => {
      await t.app.ctx.store.run(
        "INSERT INTO meeting_proposals (id, title, created_by, account, room, created_at, picked) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        ["abcde", "Release planning", "console:op", "console", "a", NOW, 1],
      );
      await t.app.ctx.store.run(
        "INSERT INTO meeting_options (proposal, n, at, zone) VALUES (?, ?, ?, ?) ON CONFLICT (proposal, n) DO NOTHING",
        ["abcde", 1, NOW + 3 * DAY, "Europe/Berlin"],
      );
    };
    const byUid = (text: string) => new Map(parse(text).events.map((e) => [e.uid, e]));
    const need = (e: ICAL.Event | undefined): ICAL.Event => {
      assert.ok(e, "event present");
      return e;
    };
    const seq = (e: ICAL.Event | undefined) => need(e).component.getFirstPropertyValue("sequence");
    const stamp = (e: ICAL.Event | undefined, prop = "dtstamp") =>
      (need(e).component.getFirstPropertyValue(prop) as ICAL.Time).toJSDate().getTime();
    try {
      await proposal();
      const first = byUid(await render(t));
      assert.deepEqual([...first.keys()].sort(), [`abcde@${HOST}`, `weekly@${HOST}`]);
      assert.equal(seq(first.get(`weekly@${HOST}`)), 0);
      assert.equal(stamp(first.get(`weekly@${HOST}`)), NOW, "DTSTAMP is when crier first published it");
      assert.equal(first.get(`abcde@${HOST}`)?.startDate.toJSDate().getTime(), NOW + 3 * DAY);

      clock.advance(DAY);
      const again = byUid(await render(t));
      assert.deepEqual([...again.keys()].sort(), [...first.keys()].sort());
      assert.equal(seq(again.get(`weekly@${HOST}`)), 0, "unchanged re-render keeps SEQUENCE");
      assert.equal(stamp(again.get(`weekly@${HOST}`)), NOW, "and DTSTAMP");

      await t.close();
      clock.advance(DAY);
      t = await start([weekly], clock, stateDir);
      const restarted = byUid(await render(t));
      assert.deepEqual([...restarted.keys()].sort(), [...first.keys()].sort(), "same UIDs after a restart");
      assert.equal(seq(restarted.get(`weekly@${HOST}`)), 0);
      assert.equal(seq(restarted.get(`abcde@${HOST}`)), 0);

      await t.close();
      clock.advance(DAY);
      const retitled = NOW + 3 * DAY;
      t = await start([{ ...weekly, title: "Weekly sync (moved)" }], clock, stateDir);
      const changed = byUid(await render(t));
      assert.equal(seq(changed.get(`weekly@${HOST}`)), 1, "a new title bumps SEQUENCE");
      assert.equal(stamp(changed.get(`weekly@${HOST}`)), retitled, "DTSTAMP is the change time");
      assert.equal(stamp(changed.get(`weekly@${HOST}`), "last-modified"), retitled);
      assert.equal(seq(changed.get(`abcde@${HOST}`)), 0, "other events are untouched");

      await t.close();
      clock.advance(DAY);
      t = await start([{ ...weekly, title: "Weekly sync (moved)", start: "2026-01-07T16:00" }], clock, stateDir);
      const moved = byUid(await render(t));
      assert.equal(seq(moved.get(`weekly@${HOST}`)), 2, "a new start bumps it again");
      assert.equal(stamp(moved.get(`weekly@${HOST}`)), NOW + 4 * DAY);
      assert.equal(moved.get(`weekly@${HOST}`)?.startDate.toString(), "2026-01-07T16:00:00");
    } finally {
      await t.close();
    }
  });

  it("keeps hostile text inside its property", async () => {
    const title = "<script>x</script>; DTSTART:19700101T000000Z, \\ END:VEVENT";
    const place = "room;\nEND:VCALENDAR";
    const t = await start([{ ...weekly, title, place }], new FakeClock(NOW), newStateDir());
    try {
      const text = await render(t);
      const { events } = parse(text);
      assert.equal(events.length, 1);
      assert.equal(events[0].summary, title);
      assert.equal(events[0].location, place);
      assert.equal(text.match(/^BEGIN:VEVENT\r$/gm)?.length, 1);
      assert.equal(text.match(/^DTSTART/gm)?.length, 3, "the event's and the VTIMEZONE's two, nothing injected");
      assert.ok(text.endsWith("END:VCALENDAR\r\n"), "the last line ends in CRLF too (RFC 5545 §3.1)");
    } finally {
      await t.close();
    }
  });
});
