/** The meetings the web page and calendar show: configured ones (with recurrence) and picked proposals. */
import type { MeetingConfig } from "../config/sections/meetings.js";
import type { AppContext } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { meetingSpec, nextAfter, occurrencesBetween, parseLocal } from "../services/recurrence.js";

/** Proposals whose time was picked (the meetings feature keeps them). */
export interface PickedSource {
  picked(
    from: number,
    until: number,
  ): Promise<Array<{ id: string; title: string; at: number; zone: string; place?: string }>>;
}

export interface Occurrence {
  id: string;
  title: string;
  start: number;
  durationMs: number;
  place?: string;
  zone: string;
  /** The config entry it comes from (absent for picked proposals); the calendar writes a recurring one as a series. */
  meeting?: MeetingConfig;
}

const HORIZON_MS = 183 * 86_400_000;

export async function upcoming(
  app: AppContext,
  meetings: PickedSource,
  from = app.clock.now(),
  until = from + HORIZON_MS,
): Promise<Occurrence[]> {
  const out: Occurrence[] = [];
  for (const m of app.config.meetings) {
    const durationMs = parseDuration(m.duration) ?? 3_600_000;
    for (const start of occurrencesBetween(meetingSpec(m), from - durationMs, until, 200)) {
      out.push({ id: m.id, title: m.title, start, durationMs, place: m.place, zone: m.zone, meeting: m });
    }
  }
  for (const p of await meetings.picked(from - 3_600_000, until))
    out.push({ id: p.id, title: p.title, start: p.at, durationMs: 3_600_000, zone: p.zone, place: p.place });
  return out.sort((a, b) => a.start - b.start);
}

/** How far back and ahead the calendar feed lists one-off meetings (a series is listed whatever its start). */
const FEED_BACK_MS = 31 * 86_400_000;
const FEED_AHEAD_MS = 10 * 366 * 86_400_000;

/**
 * What the calendar feed holds: each recurring meeting once (the calendar writes it as one VEVENT with its RRULE,
 * however far ahead it starts; the page's look-ahead window does not apply), one-off meetings and picked proposals
 * from a month ago on. `id` narrows it to one meeting.
 */
export async function feedOccurrences(app: AppContext, meetings: PickedSource, id?: string): Promise<Occurrence[]> {
  const now = app.clock.now();
  const out: Occurrence[] = [];
  for (const m of app.config.meetings) {
    if (id && m.id !== id) continue;
    const durationMs = parseDuration(m.duration) ?? 3_600_000;
    const base = { id: m.id, title: m.title, durationMs, place: m.place, zone: m.zone, meeting: m };
    if (m.rrule) {
      const first = nextAfter(meetingSpec(m), parseLocal(m.start, m.zone) - 1);
      if (first !== undefined) out.push({ ...base, start: first });
    } else
      for (const start of occurrencesBetween(meetingSpec(m), now - FEED_BACK_MS, now + FEED_AHEAD_MS, 10))
        out.push({ ...base, start });
  }
  for (const p of await meetings.picked(now - FEED_BACK_MS, now + FEED_AHEAD_MS))
    if (!id || p.id === id)
      out.push({ id: p.id, title: p.title, start: p.at, durationMs: 3_600_000, zone: p.zone, place: p.place });
  return out.sort((a, b) => a.start - b.start);
}
