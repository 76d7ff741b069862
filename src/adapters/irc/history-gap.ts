/**
 * Whether the channel history the server replays on join (InspIRCd chanhistory) reaches back to the last line crier
 * saw before it was away. crier keeps, per channel, the server time of the last line it saw (anyone's, its own
 * included) in the store. After a join, if the oldest replayed line is newer than that, the lines in between were
 * dropped from the server's history before crier could read them: a gap, reported once per join.
 */
import type { Logger } from "../../core/log.js";
import type { HistoryGapEvent } from "../../core/model.js";
import type { Store } from "../../store/store.js";

const TABLE = `CREATE TABLE IF NOT EXISTS irc_last_seen (account TEXT NOT NULL, channel TEXT NOT NULL,
  at BIGINT NOT NULL, PRIMARY KEY (account, channel))`;
const FLUSH_EVERY_MS = 5_000;

export interface Gap {
  from: number;
  to: number;
}

export class HistoryGaps {
  private readonly lastSeen = new Map<string, number>();
  /** Per channel being joined: the last line seen before the join, and the oldest line replayed since. */
  private readonly pending = new Map<string, { before: number | undefined; oldest: number | undefined }>();
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
      const rows = await this.store.all<{ channel: string; at: number }>(
        "SELECT channel, at FROM irc_last_seen WHERE account = ?",
        [this.account],
      );
      for (const r of rows) this.lastSeen.set(r.channel, Number(r.at));
      this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
      this.timer.unref();
    })();
    return this.ready;
  }

  /** A line in the channel at this server time; `replayed` when it comes from the history replayed on join. */
  seen(channel: string, at: number, replayed: boolean): void {
    const key = channel.toLowerCase();
    const p = this.pending.get(key);
    if (replayed && p && at < (p.oldest ?? Number.POSITIVE_INFINITY)) p.oldest = at;
    if (at <= (this.lastSeen.get(key) ?? 0)) return;
    this.lastSeen.set(key, at);
    this.dirty.add(key);
  }

  /** crier has just joined: replayed lines follow; `settleMs` later a gap, if any, is handed to `onGap`. */
  joined(channel: string, settleMs: number, onGap: (gap: Gap) => void): void {
    const key = channel.toLowerCase();
    this.pending.set(key, { before: this.lastSeen.get(key), oldest: undefined });
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
    if (!p || p.before === undefined || p.oldest === undefined || p.oldest <= p.before) return undefined;
    return { from: p.before, to: p.oldest };
  }

  async flush(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    try {
      for (const channel of keys)
        await this.store.run(
          `INSERT INTO irc_last_seen (account, channel, at) VALUES (?, ?, ?)
           ON CONFLICT (account, channel) DO UPDATE SET at = excluded.at`,
          [this.account, channel, this.lastSeen.get(channel) ?? 0],
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

export function gapEvent(account: string, channel: string, gap: Gap): HistoryGapEvent {
  const room = { account, room: channel };
  return { kind: "gap", network: "IRC", room, from: new Date(gap.from), to: new Date(gap.to), at: new Date() };
}
