/**
 * Meetings being minuted, one per link (or per room outside any link): their state, kept in memory and in the
 * store; the log of everything said in any of the link's rooms; and the end, which writes the minutes and posts
 * the link in every room.
 */
import { join } from "node:path";
import type { AppContext } from "../../core/context.js";
import { parseDuration } from "../../core/duration.js";
import type { ChatEvent, MessageEvent, RoomRef } from "../../core/model.js";
import { toPlain } from "../../core/richtext.js";
import { linksOf } from "../../relay/links.js";
import { agendaItems } from "./agenda.js";
import { writeMinutes } from "./minutes-writer.js";
import { nameOfPerson } from "./people.js";
import type { MeetingsState } from "./state.js";

export interface Run {
  id: string;
  link: string;
  title: string;
  /** The meeting the minutes are for (configured id or proposal id), when one was recognised. */
  meeting?: string;
  startedAt: number;
  chairs: string[];
  lineSeq: number;
  itemSeq: number;
  vote?: { question: string; votes: Map<string, number> };
}

/** A meeting runs over the first link a room is in, or over the room alone. */
export function linkKey(app: AppContext, room: RoomRef): string {
  const link = linksOf(app.config.links, room)[0];
  return link ? `link:${link.name}` : `room:${room.account}/${room.room}`;
}

export function roomsOf(app: AppContext, key: string): RoomRef[] {
  if (key.startsWith("link:")) {
    const link = app.config.links.find((l) => l.name === key.slice(5));
    return (link?.rooms ?? []).map((r) => ({ account: r.account, room: r.room }));
  }
  const [account, ...room] = key.slice(5).split("/");
  return [{ account, room: room.join("/") }];
}

export async function loadRuns(app: AppContext, m: MeetingsState): Promise<void> {
  const open = await app.store.all<{
    id: string;
    link: string;
    title: string;
    started_at: number;
    chairs: string;
    meeting: string | null;
  }>("SELECT id, link, title, started_at, chairs, meeting FROM minutes_runs WHERE ended_at IS NULL");
  for (const r of open) {
    const seq = await app.store.get<{ l: number; i: number }>(
      "SELECT (SELECT COALESCE(MAX(seq), 0) FROM minutes_lines WHERE run = ?) AS l, (SELECT COALESCE(MAX(seq), 0) FROM minutes_items WHERE run = ?) AS i",
      [r.id, r.id],
    );
    m.runs.set(r.link, {
      id: r.id,
      link: r.link,
      title: r.title,
      meeting: r.meeting ?? undefined,
      startedAt: Number(r.started_at),
      chairs: JSON.parse(r.chairs),
      lineSeq: Number(seq?.l ?? 0),
      itemSeq: Number(seq?.i ?? 0),
    });
  }
}

/** Logs every human line said in a room of a running meeting; counts votes. */
export async function logLine(m: MeetingsState, event: ChatEvent, app: AppContext): Promise<void> {
  if (event.kind !== "message" || event.fromSelf) return;
  const run = m.runs.get(linkKey(app, event.room));
  if (run) await appendLine(app, run, event);
}

/** One line of the log (also the `#startmeeting` line itself, which arrives before its run exists). */
export async function appendLine(app: AppContext, run: Run, event: MessageEvent): Promise<void> {
  const text = toPlain(event.body).slice(0, 2000);
  const person = await app.identity.personId(event.sender);
  run.lineSeq++;
  await app.store.run(
    "INSERT INTO minutes_lines (run, seq, at, account, room, nick, person, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [
      run.id,
      run.lineSeq,
      event.at.getTime(),
      event.room.account,
      event.room.room,
      event.sender.name.slice(0, 80),
      person,
      text,
    ],
  );
  const vote = /^\s*([+-][01])\s*$/.exec(text);
  if (vote && run.vote) run.vote.votes.set(person, Number(vote[1]));
}

export async function say(app: AppContext, key: string, text: string, tag: string): Promise<void> {
  for (const room of roomsOf(app, key)) await app.notify(room, text, `${tag}->${room.account}/${room.room}`);
}

export async function endRun(app: AppContext, m: MeetingsState, run: Run, by: string): Promise<string> {
  const now = app.clock.now();
  await app.store.run("UPDATE minutes_runs SET ended_at = ? WHERE id = ?", [now, run.id]);
  m.runs.delete(run.link);
  const items = await app.store.all<{
    kind: string;
    text: string;
    owner: string | null;
    owner_person: string | null;
    nick: string;
    at: number;
  }>("SELECT kind, text, owner, owner_person, nick, at FROM minutes_items WHERE run = ? ORDER BY seq", [run.id]);
  const lines = await app.store.all<{ at: number; account: string; nick: string; person: string; text: string }>(
    "SELECT at, account, nick, person, text FROM minutes_lines WHERE run = ? ORDER BY seq",
    [run.id],
  );
  const chairNames: string[] = [];
  for (const c of run.chairs) chairNames.push(await nameOfPerson(app, m.seen, c, lines));
  const base = app.config.http.publicUrl?.replace(/\/$/, "");
  const meeting = run.meeting
    ? {
        id: run.meeting,
        title: app.config.meetings.find((m) => m.id === run.meeting)?.title ?? run.title,
        url: base ? `${base}/meetings/${encodeURIComponent(run.meeting)}` : undefined,
      }
    : undefined;
  const stem = writeMinutes(app.stateDir, {
    id: run.id,
    title: run.title,
    meeting,
    agenda: run.meeting ? agendaItems(m, run.meeting) : [],
    startedAt: run.startedAt,
    endedAt: now,
    chairs: chairNames,
    items: items.map(({ owner_person, ...i }) => ({
      ...i,
      owner: i.owner ?? undefined,
      ownerPerson: owner_person ?? undefined,
      at: Number(i.at),
    })),
    lines: lines.map((l) => ({ ...l, at: Number(l.at) })),
  });
  // Without the web server, the file's full path: something a person can open.
  const where = base ? `${base}/minutes/${stem}.html` : join(app.stateDir, "minutes", `${stem}.html`);
  await say(
    app,
    run.link,
    `meeting "${run.title}" ended${by ? ` by ${by}` : ""}; minutes: ${where}`,
    `minutes-end:${run.id}`,
  );
  return stem;
}

/** Warns, then closes meetings left open longer than `minutes.autoCloseAfter`. */
export async function closeForgotten(app: AppContext, m: MeetingsState): Promise<void> {
  const limit = parseDuration(app.config.minutes.autoCloseAfter) ?? 3 * 3_600_000;
  const now = app.clock.now();
  for (const run of [...m.runs.values()]) {
    const age = now - run.startedAt;
    if (age >= limit) await endRun(app, m, run, "");
    else if (age >= limit - 15 * 60_000) {
      const r = await app.store.run("UPDATE minutes_runs SET warned = 1 WHERE id = ? AND warned = 0", [run.id]);
      if (r.changes)
        await say(
          app,
          run.link,
          `meeting "${run.title}" closes by itself in 15 minutes unless a chair says #endmeeting`,
          `minutes-warn:${run.id}`,
        );
    }
  }
}
