/**
 * Whether the channel history the server replays on join (InspIRCd chanhistory) reaches back to the last line crier
 * saw before it was away. crier keeps, per channel, the server time of the last line it saw (anyone's, its own
 * included) in the store. After a join, if the oldest replayed line is newer than that, the lines in between were
 * dropped from the server's history before crier could read them: a gap, reported once per join.
 *
 * Replayed lines carry whole seconds (InspIRCd keeps history at that precision) while live ones carry milliseconds,
 * so times are compared by the second. When the oldest replayed line falls in the same second as the last line
 * seen, time cannot tell; then the replay decides: if it still holds that line (same sender and text), nothing was
 * lost; if it no longer does, the server dropped it and whatever followed it up to the oldest line kept.
 */
import type { Logger } from "../../core/log.js";
import type { HistoryGapEvent } from "../../core/model.js";
import type { Store } from "../../store/store.js";

const TABLE = `CREATE TABLE IF NOT EXISTS irc_last_seen (account TEXT NOT NULL, channel TEXT NOT NULL,
  at BIGINT NOT NULL, line TEXT NOT NULL DEFAULT '', PRIMARY KEY (account, channel))`;
const FLUSH_EVERY_MS = 5_000;

export interface Gap {
  from: number;
  to: number;
}

/** A line as the gap check knows it: its server time and who said what (to find it again in a replay). */
interface SeenLine {
  at: number;
  line: string;
}

interface Joining {
  before: SeenLine | undefined;
  oldest: number | undefined;
  /** The replay held the last line seen before the join. */
  found: boolean;
}

const second = (ms: number) => Math.floor(ms / 1000);

export class HistoryGaps {
  private readonly lastSeen = new Map<string, SeenLine>();
  /** Per channel being joined: the last line seen before the join, and the oldest line replayed since. */
  private readonly pending = new Map<string, Joining>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly account: string,
    private readonly log: Logger,
  ) {}

  load(): Promise<void> {
    this.ready ??= (async () => {
      await this.store.run(TABLE);
      const rows = await this.store.all<{ channel: string; at: number; line: string }>(
        "SELECT channel, at, line FROM irc_last_seen WHERE account = ?",
        [this.account],
      );
      for (const r of rows) this.lastSeen.set(r.channel, { at: Number(r.at), line: r.line });
      this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
      this.timer.unref();
    })();
    return this.ready;
  }

  /**
   * A line in the channel at this server time, `line` saying who said what (nick and text); `replayed` when it
   * comes from the history replayed on join.
   */
  seen(channel: string, at: number, line: string, replayed: boolean): void {
    const key = channel.toLowerCase();
    const p = this.pending.get(key);
    if (replayed && p) {
      if (at < (p.oldest ?? Number.POSITIVE_INFINITY)) p.oldest = at;
      if (p.before && line === p.before.line && second(at) === second(p.before.at)) p.found = true;
    }
    const last = this.lastSeen.get(key);
    if (last && at <= last.at) return;
    this.lastSeen.set(key, { at, line });
    this.dirty.add(key);
  }

  /** crier has just joined: replayed lines follow; `settleMs` later a gap, if any, is handed to `onGap`. */
  joined(channel: string, settleMs: number, onGap: (gap: Gap) => void): void {
    const key = channel.toLowerCase();
    this.pending.set(key, { before: this.lastSeen.get(key), oldest: undefined, found: false });
    setTimeout(() => {
      const gap = this.settle(channel);
      if (gap) onGap(gap);
    }, settleMs).unref();
  }

  /** Once the replay has arrived: the gap, if the history did not reach back to the last line seen. */
  settle(channel: string): Gap | undefined {
    const key = channel.toLowerCase();
    const p = this.pending.get(key);
    this.pending.delete(key);
    if (!p?.before || p.oldest === undefined) return undefined;
    const [before, oldest] = [second(p.before.at), second(p.oldest)];
    if (oldest < before || (oldest === before && p.found)) return undefined;
    return { from: p.before.at, to: Math.max(p.oldest, p.before.at) };
  }

  async flush(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    try {
      for (const channel of keys)
        await this.store.run(
          `INSERT INTO irc_last_seen (account, channel, at, line) VALUES (?, ?, ?, ?)
           ON CONFLICT (account, channel) DO UPDATE SET at = excluded.at, line = excluded.line`,
          [this.account, channel, this.lastSeen.get(channel)?.at ?? 0, this.lastSeen.get(channel)?.line ?? ""],
        );
    } catch (err) {
      for (const k of keys) this.dirty.add(k);
      this.log.warn({ err }, "could not save the IRC read positions");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

export function gapEvent(account: string, channel: string, gap: Gap, now: number): HistoryGapEvent {
  const room = { account, room: channel };
  return { kind: "gap", network: "IRC", room, from: new Date(gap.from), to: new Date(gap.to), at: new Date(now) };
}
