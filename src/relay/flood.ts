/**
 * The flood policy: what a target room can carry is bounded by its platform's pace (IRC: one line per interval),
 * so relaying a flood there one message per line would bury the room for minutes and delay everything after it.
 * Each target room with a pace has a budget of `backlogMs` worth of lines (a token bucket refilled at the pace),
 * and one sender may use half of it, so one person cannot take a whole room's share. A message over budget is
 * folded: not sent there, but counted and kept (fold-log.ts), and when its sender has been quiet for a moment one
 * line says how many were folded and links to crier's page of them (or, with no web server, to the first of them on
 * its own platform). A message costs the lines it takes on the wire there, so one long message is not one line.
 * Platforms without a pace (they combine a backlog into multi-line messages) are never folded.
 */
import { AsyncResource } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import type { LinkConfig } from "../config/sections/links.js";
import { parseDuration } from "../core/duration.js";
import type { RoomRef, UserRef } from "../core/model.js";
import { roomKey, userKey } from "../core/model.js";

/** How much of a paced room's time a flood may take (the link's `floodBacklog`, default 30 s; `off` is 0). */
export function floodBacklogMs(link: Pick<LinkConfig, "floodBacklog"> | undefined): number {
  const v = link?.floodBacklog ?? "30s";
  return v === "off" ? 0 : (parseDuration(v) ?? 30_000);
}

export interface FoldedRun {
  /** Names the run's page (`/folded/<id>`): random, so the page is found only through the fold line. */
  id: string;
  target: RoomRef;
  sender: UserRef;
  origin: RoomRef;
  count: number;
  /** The first folded message on its own platform, when it has links. */
  firstUrl?: string;
  firstAt: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** How long a folding sender must be quiet before the fold line goes out. */
export const FOLD_QUIET_MS = 3_000;
/** Buckets kept before quiet ones are swept (each is a few numbers). */
const MAX_BUCKETS = 10_000;
/** A sender's share of a room's budget. */
const SENDER_SHARE = 0.5;

export class FloodGuard {
  private readonly rooms = new Map<string, Bucket>();
  private readonly senders = new Map<string, Bucket>();
  private readonly runs = new Map<string, { run: FoldedRun; timer: NodeJS.Timeout }>();
  /** Messages folded per target room since crier started (`!outbox`). */
  readonly foldedTotals = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly flush: (run: FoldedRun) => void,
    private readonly quietMs = FOLD_QUIET_MS,
    private readonly newId: () => string = () => randomBytes(8).toString("hex"),
  ) {}

  /**
   * Whether a message from `sender` goes to `target` now (true), or is folded (false). `linesPerMinute` is the
   * target's pace (undefined: unpaced, always true); `backlogMs` the most of it a flood may queue; `lines` what the
   * message takes there (a message longer than the whole budget needs a full bucket, not more than there can be).
   */
  admit(
    target: RoomRef,
    sender: UserRef,
    origin: RoomRef,
    url: string | undefined,
    linesPerMinute: number | undefined,
    backlogMs: number,
    lines = 1,
  ): boolean {
    if (!linesPerMinute || backlogMs <= 0) return true;
    const now = this.now();
    const perMs = linesPerMinute / 60_000;
    const capacity = Math.max(1, perMs * backlogMs);
    const room = this.fill(this.rooms, roomKey(target), capacity, perMs, now);
    const person = this.fill(
      this.senders,
      `${roomKey(target)} ${userKey(sender)}`,
      Math.max(1, capacity * SENDER_SHARE),
      perMs * SENDER_SHARE,
      now,
    );
    const runKey = `${roomKey(target)} ${userKey(sender)}`;
    const cost = Math.max(1, lines);
    const fits = (b: Bucket, capacity: number) => b.tokens >= Math.min(cost, capacity);
    if (fits(room, capacity) && fits(person, Math.max(1, capacity * SENDER_SHARE)) && !this.runs.has(runKey)) {
      room.tokens -= cost;
      person.tokens -= cost;
      return true;
    }
    this.foldedTotals.set(roomKey(target), (this.foldedTotals.get(roomKey(target)) ?? 0) + 1);
    // Once folding, a sender stays folded until quiet: a line slipping through mid-flood would read as the end.
    const open = this.runs.get(runKey);
    if (open) {
      open.run.count++;
      clearTimeout(open.timer);
      open.timer = this.timer(runKey);
    } else {
      const run: FoldedRun = { id: this.newId(), target, sender, origin, count: 1, firstUrl: url, firstAt: now };
      this.runs.set(runKey, { run, timer: this.timer(runKey) });
    }
    return false;
  }

  /** The run `sender`'s folded messages in `target` belong to right now (after `admit` said false). */
  openRun(target: RoomRef, sender: UserRef): FoldedRun | undefined {
    return this.runs.get(`${roomKey(target)} ${userKey(sender)}`)?.run;
  }

  /** Sends every open fold line now (crier is stopping). */
  close(): void {
    for (const key of [...this.runs.keys()]) this.end(key);
  }

  /**
   * `admit` runs inside the store transaction that records the message; a timer started there would carry that
   * transaction's context into the fold line's own writes. Timers start in the context the guard was made in.
   */
  private readonly timer = AsyncResource.bind((key: string): NodeJS.Timeout => {
    const t = setTimeout(() => this.end(key), this.quietMs);
    t.unref();
    return t;
  });

  private end(key: string): void {
    const open = this.runs.get(key);
    if (!open) return;
    clearTimeout(open.timer);
    this.runs.delete(key);
    this.flush(open.run);
  }

  private fill(map: Map<string, Bucket>, key: string, capacity: number, perMs: number, now: number): Bucket {
    const b = map.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
    // A full bucket is the same as none: when many people have spoken, forget those that have been quiet.
    if (!map.has(key) && map.size >= MAX_BUCKETS) for (const [k, x] of map) if (x.at < now - 600_000) map.delete(k);
    map.set(key, b);
    return b;
  }
}

/** The line a folded run leaves in its target room, linking `pageUrl` (crier's page of the run) when there is one. */
export function foldLine(run: FoldedRun, pageUrl?: string): string {
  const who = run.sender.name.replace(/\s+/g, " ").trim().slice(0, 80);
  const n = run.count === 1 ? "1 more message" : `${run.count} more messages`;
  const link = pageUrl ?? run.firstUrl;
  return `… ${n} from ${who} on ${run.origin.account} not relayed here (flood)${link ? `: ${link}` : ""}`;
}
