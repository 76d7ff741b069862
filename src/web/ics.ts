/**
 * iCalendar feeds (RFC 5545) that calendar apps subscribe to. A recurring config meeting is one VEVENT with
 * DTSTART;TZID in its own zone, its RRULE and a VTIMEZONE, so clients keep it at the same local time across DST
 * changes; UIDs are stable (`<meeting id>@<host>`, `<proposal id>@<host>`) and SEQUENCE/DTSTAMP change only when
 * the event does (ics-sequence.ts). One-off meetings and picked proposals are written in UTC: one instant needs no
 * time zone rules, and UTC is what the store holds for proposals. A series whose zone has no trustworthy VTIMEZONE
 * (vtimezone.ts) falls back to separate UTC occurrences, `<meeting id>-<date>@<host>`.
 */
import ical, { type ICalDayJsStub } from "ical-generator";
import { DateTime } from "luxon";
import type { MeetingConfig } from "../config/sections/meetings.js";
import type { AppContext } from "../core/context.js";
import { meetingSpec, nextAfter, occurrencesBetween, parseLocal } from "../services/recurrence.js";
import { revisions } from "./ics-sequence.js";
import type { Occurrence } from "./upcoming.js";
import { checkedVtimezone, packagedVtimezone, type VtimezoneSource } from "./vtimezone.js";

/** How far ahead a series' occurrences are checked against its VTIMEZONE. */
const CHECK_MS = 2 * 366 * 86_400_000;
const warned = new Set<string>();

interface Entry {
  uid: string;
  /** The meeting (config id or proposal id) for its page and agenda. */
  meetingId: string;
  title: string;
  place?: string;
  durationMs: number;
  /** Set for a series: the config entry, written with TZID and RRULE from `local` (DTSTART's wall clock). */
  series?: MeetingConfig;
  local?: string;
  start: number;
}

/**
 * DTSTART as the configured wall clock rather than a luxon DateTime: the RRULE repeats DTSTART's local time, and a
 * start inside a DST gap (02:30 on the spring-forward day) has no DateTime that prints as 02:30. ical-generator
 * formats such a day.js-like value with `format("YYYYMMDD")` and `format("HHmmss")`.
 */
function wallClock(local: string, instant: number): ICalDayJsStub {
  const f = DateTime.fromISO(local, { zone: "UTC" });
  const stub: ICalDayJsStub = {
    format: (fmt) =>
      f.toFormat(fmt === "YYYYMMDD" ? "yyyyLLdd" : fmt === "HHmmss" ? "HHmmss" : "yyyy-LL-dd'T'HH:mm:ss"),
    isValid: () => f.isValid,
    toDate: () => new Date(instant),
    toJSON: () => new Date(instant).toISOString(),
    tz: () => stub,
    utc: () => stub,
  };
  return stub;
}

/**
 * The series' DTSTART: the configured start, or its first occurrence when the start does not match the rule
 * (RFC 5545 leaves such a set undefined and clients count DTSTART as an occurrence; crier's schedule does not).
 */
function firstOccurrence(m: MeetingConfig): { local: string; start: number } {
  const start = parseLocal(m.start, m.zone);
  const first = nextAfter(meetingSpec(m), start - 1) ?? start;
  if (first === start) return { local: m.start, start };
  return { local: DateTime.fromMillis(first, { zone: m.zone }).toFormat("yyyy-LL-dd'T'HH:mm:ss"), start: first };
}

/** A VTIMEZONE (or "" when none can be trusted) for each zone with a series, checked at all their coming instants. */
function vtimezones(app: AppContext, series: Set<MeetingConfig>, source: VtimezoneSource): Map<string, string> {
  const now = app.clock.now();
  const instants = new Map<string, number[]>();
  for (const m of series)
    instants.set(m.zone, [
      ...(instants.get(m.zone) ?? []),
      ...occurrencesBetween(meetingSpec(m), now, now + CHECK_MS, 500),
    ]);
  const out = new Map<string, string>();
  for (const [zone, at] of instants) {
    out.set(zone, checkedVtimezone(zone, at, source) ?? "");
    if (!out.get(zone) && !warned.has(zone)) {
      warned.add(zone);
      app.log.warn({ zone }, "no VTIMEZONE agreeing with the tz database; calendar lists occurrences in UTC");
    }
  }
  return out;
}

interface Links {
  /** crier's public URL without a trailing slash, if it has one. */
  base?: string;
  agenda(meeting: string): string;
}

/** The meeting's page, when crier has a public URL. */
const pageUrl = (e: Entry, l: Links): string | undefined =>
  l.base ? `${l.base}/meetings/${encodeURIComponent(e.meetingId)}` : undefined;

/** DESCRIPTION: where, the agenda, and the page. */
function describe(e: Entry, l: Links): string {
  const agenda = l.agenda(e.meetingId);
  return [e.place ? `Where: ${e.place}` : "", agenda ? `Agenda: ${agenda}` : "", pageUrl(e, l) ?? ""]
    .filter(Boolean)
    .join("\n");
}

/** The feed for `occurrences`; `source` gives the VTIMEZONE blocks to check (timezones-ical-library's by default). */
export async function calendarIcs(
  app: AppContext,
  name: string,
  occurrences: Occurrence[],
  host: string,
  source: VtimezoneSource = packagedVtimezone,
  agendaOf: (meeting: string) => ReadonlyArray<{ text: string; ownerName?: string }> = () => [],
) {
  const links: Links = {
    base: app.config.http.publicUrl?.replace(/\/$/, ""),
    agenda: (id) =>
      agendaOf(id)
        .map((it, i) => `${i + 1}. ${it.text}${it.ownerName ? ` (${it.ownerName})` : ""}`)
        .join("; "),
  };
  const series = new Set(occurrences.flatMap((o) => (o.meeting?.rrule ? [o.meeting] : [])));
  const zones = vtimezones(app, series, source);
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const o of occurrences) {
    const m = o.meeting;
    const base = { meetingId: o.id, title: o.title, place: o.place, durationMs: o.durationMs };
    if (!m?.rrule) entries.push({ ...base, uid: `${o.id}@${host}`, start: o.start });
    else if (zones.get(m.zone)) {
      if (!seen.has(m.id)) entries.push({ ...base, uid: `${m.id}@${host}`, series: m, ...firstOccurrence(m) });
      seen.add(m.id);
    } else {
      const day = new Date(o.start).toISOString().slice(0, 10);
      entries.push({ ...base, uid: `${o.id}-${day}@${host}`, start: o.start });
    }
  }
  const revs = await revisions(
    app,
    entries.map((e) => ({
      uid: e.uid,
      fields: e.series
        ? [
            e.series.start,
            e.series.zone,
            e.series.rrule,
            e.series.duration,
            e.title,
            e.place ?? null,
            describe(e, links),
          ]
        : [new Date(e.start).toISOString(), null, null, e.durationMs, e.title, e.place ?? null, describe(e, links)],
    })),
  );
  const cal = ical({
    name,
    prodId: { company: "crier", product: "crier" },
    // No calendar-wide zone (it would also apply to DTSTAMP and the UTC events); the generator only adds a
    // VTIMEZONE for each event's TZID, and only zones that passed the check above carry one.
    timezone: { name: null, generator: (zone) => zones.get(zone) || null },
  });
  for (const e of entries) {
    const rev = revs.get(e.uid)!;
    const stamp = new Date(rev.changedAt);
    const s = e.series;
    cal.createEvent({
      id: e.uid,
      sequence: rev.seq,
      stamp,
      lastModified: stamp,
      start: s ? wallClock(e.local!, e.start) : new Date(e.start),
      end: s ? DateTime.fromMillis(e.start + e.durationMs, { zone: s.zone }) : new Date(e.start + e.durationMs),
      timezone: s?.zone ?? null,
      repeating: s?.rrule ? `RRULE:${s.rrule.replace(/^RRULE:/i, "")}` : null,
      summary: e.title,
      location: e.place ?? null,
      description: describe(e, links) || null,
      url: pageUrl(e, links) ?? null,
    });
  }
  // RFC 5545 §3.1: every content line ends in CRLF, the last one too.
  const text = cal.toString();
  return text.endsWith("\r\n") ? text : `${text}\r\n`;
}
