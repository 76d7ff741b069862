/** The meetings the web page and calendar show: configured ones (with recurrence) and picked proposals. */
import type { MeetingConfig } from "../config/sections/meetings.js";
import type { AppContext } from "../core/context.js";
import { meetingSpec, occurrencesBetween } from "../services/recurrence.js";

/** Proposals whose time was picked (the meetings feature keeps them). */
export interface PickedSource {
  picked(from: number, until: number): Promise<Array<{ id: string; title: string; at: number; zone: string }>>;
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
    const durationMs = parseDurationMs(m.duration);
    for (const start of occurrencesBetween(meetingSpec(m), from - durationMs, until, 200)) {
      out.push({ id: m.id, title: m.title, start, durationMs, place: m.place, zone: m.zone, meeting: m });
    }
  }
  const picked = await meetings.picked(from - 3_600_000, until);
  for (const p of picked)
    out.push({ id: p.id, title: p.title, start: Number(p.at), durationMs: 3_600_000, zone: p.zone });
  return out.sort((a, b) => a.start - b.start);
}

function parseDurationMs(s: string): number {
  const m = /^(\d+)([mh])$/.exec(s.trim());
  return m ? Number(m[1]) * (m[2] === "h" ? 3_600_000 : 60_000) : 3_600_000;
}
