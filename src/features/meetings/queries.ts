/**
 * What the meetings feature tells other parts (`!next`, the web pages, the calendar) about its tables, so none of
 * them runs SQL on them: picked proposals as scheduled meetings, a proposal with its attendance, finished minutes.
 */
import { DateTime } from "luxon";
import type { Queryable } from "../../store/store.js";

export interface PickedMeeting {
  id: string;
  title: string;
  at: number;
  zone: string;
  place?: string;
}

export interface ProposalView {
  title: string;
  place?: string;
  options: Array<{ n: number; at: number; people: string[]; picked: boolean }>;
}

export interface MinutesEntry {
  run: string;
  title: string;
  startedAt: number;
  /** The meeting (configured id or proposal id) the minutes were taken for, if one was recognised. */
  meeting?: string;
  /** File name stem under `<stateDir>/minutes/` (and `/minutes/<stem>.html` on the web). */
  stem: string;
}

/** Meetings scheduled with `!meeting pick` whose time lies in [from, until]. */
export async function pickedMeetings(store: Queryable, from: number, until: number): Promise<PickedMeeting[]> {
  const rows = await store.all<{ id: string; title: string; at: number; zone: string; place: string | null }>(
    `SELECT p.id, p.title, o.at, o.zone, p.place FROM meeting_proposals p
       JOIN meeting_options o ON o.proposal = p.id AND o.n = p.picked
     WHERE p.picked IS NOT NULL AND o.at >= ? AND o.at <= ? ORDER BY o.at LIMIT 500`,
    [from, until],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    at: Number(r.at),
    zone: r.zone,
    place: r.place ?? undefined,
  }));
}

export async function proposalView(store: Queryable, id: string): Promise<ProposalView | undefined> {
  const p = await store.get<{ title: string; picked: number | null; place: string | null }>(
    "SELECT title, picked, place FROM meeting_proposals WHERE id = ?",
    [id.toLowerCase()],
  );
  if (!p) return undefined;
  const options = await store.all<{ n: number; at: number }>(
    "SELECT n, at FROM meeting_options WHERE proposal = ? ORDER BY n",
    [id.toLowerCase()],
  );
  const people = await store.all<{ n: number; name: string }>(
    "SELECT n, name FROM meeting_attendance WHERE proposal = ? ORDER BY name",
    [id.toLowerCase()],
  );
  return {
    title: p.title,
    place: p.place ?? undefined,
    options: options.map((o) => ({
      n: Number(o.n),
      at: Number(o.at),
      picked: Number(o.n) === Number(p.picked),
      people: people.filter((x) => Number(x.n) === Number(o.n)).map((x) => x.name),
    })),
  };
}

export const minutesStem = (startedAt: number, run: string): string =>
  `${DateTime.fromMillis(startedAt, { zone: "UTC" }).toFormat("yyyy-LL-dd")}-${run}`;

/** Finished minutes, newest first: all of them, or those of one meeting only. */
export async function finishedMinutes(store: Queryable, meeting?: string, limit = 200): Promise<MinutesEntry[]> {
  const rows = await store.all<{ id: string; title: string; started_at: number; meeting: string | null }>(
    `SELECT id, title, started_at, meeting FROM minutes_runs WHERE ended_at IS NOT NULL${meeting ? " AND meeting = ?" : ""}
     ORDER BY started_at DESC LIMIT ${Math.min(Math.max(1, Math.floor(limit)), 1000)}`,
    meeting ? [meeting] : [],
  );
  return rows.map((r) => ({
    run: r.id,
    title: r.title,
    startedAt: Number(r.started_at),
    meeting: r.meeting ?? undefined,
    stem: minutesStem(Number(r.started_at), r.id),
  }));
}
