/**
 * Which meeting a `#startmeeting` is for, so its minutes are attached to that meeting only (not to every meeting
 * that shares the link): the meeting named by id or title, else the one of this link (configured, or a picked
 * proposal made in one of its rooms) whose time is nearest to now, within an hour before it starts to an hour after
 * it should have ended. Nothing matches → the minutes belong to no meeting and appear only in the /minutes/ index.
 */
import { parseDuration } from "../../core/duration.js";
import type { AppContext } from "../../core/context.js";
import type { RoomRef } from "../../core/model.js";
import { nextAfter } from "../../services/recurrence.js";
import { meetingSpec } from "../../services/recurrence.js";
import { pickedMeetings } from "./queries.js";

const SLACK_MS = 3_600_000;

export interface MeetingRef {
  id: string;
  title: string;
}

export async function meetingFor(
  app: AppContext,
  linkKey: string,
  rooms: RoomRef[],
  named: string,
  now: number,
): Promise<MeetingRef | undefined> {
  const want = named.trim().toLowerCase();
  const link = linkKey.startsWith("link:") ? linkKey.slice(5) : undefined;
  if (want) {
    const m = app.config.meetings.find((x) => x.id.toLowerCase() === want || x.title.toLowerCase() === want);
    if (m) return { id: m.id, title: m.title };
    const p = await app.store.get<{ id: string; title: string }>(
      "SELECT id, title FROM meeting_proposals WHERE id = ? OR (LOWER(title) = ? AND account = ? AND room = ?) ORDER BY created_at DESC LIMIT 1",
      [want, want, rooms[0]?.account ?? "", rooms[0]?.room ?? ""],
    );
    if (p) return { id: p.id, title: p.title };
  }
  const near: Array<{ ref: MeetingRef; distance: number }> = [];
  for (const m of app.config.meetings) {
    if (!link || !m.links.includes(link)) continue;
    const duration = parseDuration(m.duration) ?? SLACK_MS;
    const start = nextAfter(meetingSpec(m), now - duration - SLACK_MS);
    if (start !== undefined && start <= now + SLACK_MS)
      near.push({ ref: { id: m.id, title: m.title }, distance: Math.abs(start - now) });
  }
  const inLink = new Set(rooms.map((r) => `${r.account}/${r.room}`));
  for (const p of await pickedMeetings(app.store, now - 2 * SLACK_MS - 3 * SLACK_MS, now + SLACK_MS)) {
    const room = await app.store.get<{ account: string; room: string }>(
      "SELECT account, room FROM meeting_proposals WHERE id = ?",
      [p.id],
    );
    if (room && inLink.has(`${room.account}/${room.room}`))
      near.push({ ref: { id: p.id, title: p.title }, distance: Math.abs(p.at - now) });
  }
  return near.sort((a, b) => a.distance - b.distance)[0]?.ref;
}
