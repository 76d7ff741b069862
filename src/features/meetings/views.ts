/**
 * What others show of the meetings feature (the web pages and calendars): read from its own tables here, so no
 * other part runs SQL on them.
 */
import { DateTime } from "luxon";
import type { Config } from "../../config/schema.js";
import type { Store } from "../../store/store.js";

export interface ProposalOptionsView {
  title: string;
  options: Array<{ n: number; at: number; people: string[]; picked: boolean }>;
}

export interface PickedMeeting {
  id: string;
  title: string;
  at: number;
  zone: string;
}

export async function proposalView(store: Store, id: string): Promise<ProposalOptionsView | undefined> {
  const p = await store.get<{ title: string; picked: number | null }>(
    "SELECT title, picked FROM meeting_proposals WHERE id = ?",
    [id],
  );
  if (!p) return undefined;
  const options = await store.all<{ n: number; at: number }>(
    "SELECT n, at FROM meeting_options WHERE proposal = ? ORDER BY n",
    [id],
  );
  const people = await store.all<{ n: number; name: string }>(
    "SELECT n, name FROM meeting_attendance WHERE proposal = ? ORDER BY name",
    [id],
  );
  return {
    title: p.title,
    options: options.map((o) => ({
      n: Number(o.n),
      at: Number(o.at),
      picked: Number(o.n) === Number(p.picked),
      people: people.filter((x) => Number(x.n) === Number(o.n)).map((x) => x.name),
    })),
  };
}

/** File names of the minutes written for a configured meeting's links, newest first. */
export async function minutesFiles(store: Store, config: Config, id: string): Promise<string[]> {
  const links = config.meetings.find((m) => m.id === id)?.links ?? [];
  if (!links.length) return [];
  const rows = await store.all<{ id: string; started_at: number; link: string }>(
    "SELECT id, started_at, link FROM minutes_runs WHERE ended_at IS NOT NULL ORDER BY started_at DESC LIMIT 50",
  );
  return rows
    .filter((r) => links.includes(r.link.replace(/^link:/, "")))
    .map((r) => `${DateTime.fromMillis(Number(r.started_at), { zone: "UTC" }).toFormat("yyyy-LL-dd")}-${r.id}.html`);
}

/** Proposals whose time was picked, starting in [from, until]. */
export async function pickedMeetings(store: Store, from: number, until: number): Promise<PickedMeeting[]> {
  const rows = await store.all<{ id: string; title: string; at: number; zone: string }>(
    `SELECT p.id, p.title, o.at, o.zone FROM meeting_proposals p JOIN meeting_options o ON o.proposal = p.id AND o.n = p.picked
     WHERE p.picked IS NOT NULL AND o.at >= ? AND o.at <= ?`,
    [from, until],
  );
  return rows.map((r) => ({ id: r.id, title: r.title, at: Number(r.at), zone: r.zone }));
}
