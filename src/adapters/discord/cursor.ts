/**
 * Discord keeps no read position for a bot, so crier keeps one: the newest message id seen in each channel, in the
 * store. After a new session or a restart it fetches what came after — starting a minute before that id, because
 * the last messages seen before a crash may not have been relayed yet (the relay ignores the ones it already has).
 * Nothing from before crier first watched a channel is fetched: old history is not news.
 */
import type { Logger } from "../../core/log.js";
import type { Store } from "../../store/store.js";

const DISCORD_EPOCH = 1_420_070_400_000n;
const MARGIN_MS = 60_000;
const TABLE = `CREATE TABLE IF NOT EXISTS discord_cursor (account TEXT NOT NULL, channel TEXT NOT NULL,
  last_seen TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY (account, channel))`;

/** The smallest snowflake of a moment, and the moment of a snowflake. */
export const snowflakeAt = (ms: number): string => ((BigInt(Math.max(0, ms)) - DISCORD_EPOCH) << 22n).toString();
export const timeOfSnowflake = (id: string): number => Number((BigInt(id) >> 22n) + DISCORD_EPOCH);

export class ChannelCursor {
  private readonly seen = new Map<string, string>();
  /** The first moment crier watched each channel, as a snowflake: the floor of every back-fill. */
  private readonly since = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly account: string,
    private readonly log: Logger,
    /** How far back a back-fill may reach at most (ms). */
    private readonly windowMs: number,
  ) {}

  /** Loads the positions saved by the previous run. */
  load(): Promise<void> {
    this.ready ??= (async () => {
      await this.store.run(TABLE);
      const rows = await this.store.all<{ channel: string; last_seen: string; since: string }>(
        "SELECT channel, last_seen, since FROM discord_cursor WHERE account = ?",
        [this.account],
      );
      for (const r of rows) {
        this.since.set(r.channel, r.since);
        this.advance(r.channel, r.last_seen, false);
      }
    })();
    return this.ready;
  }

  /** Starts watching a channel at `now` unless crier watched it before. */
  watch(channel: string, now: number): void {
    if (this.since.has(channel)) return;
    const floor = snowflakeAt(now);
    this.since.set(channel, floor);
    this.advance(channel, floor, false);
    this.dirty.add(channel);
    this.saveSoon();
  }

  /** Notes a message id; saved shortly after (a crash loses at most that delay, which the margin covers). */
  see(channel: string, id: string): void {
    if (this.advance(channel, id, true)) this.saveSoon();
  }

  private saveSoon(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, 500);
      this.timer.unref();
    }
  }

  private advance(channel: string, id: string, mark: boolean): boolean {
    if (!/^\d+$/.test(id)) return false;
    const prev = this.seen.get(channel);
    if (prev && BigInt(id) <= BigInt(prev)) return false;
    this.seen.set(channel, id);
    if (mark) this.dirty.add(channel);
    return true;
  }

  /** Where to fetch from in a channel, or undefined when crier has never seen it. */
  fetchAfter(channel: string, now: number): string | undefined {
    const last = this.seen.get(channel);
    const since = this.since.get(channel);
    if (!last || !since) return undefined;
    const from = snowflakeAt(Math.max(timeOfSnowflake(last) - MARGIN_MS, now - this.windowMs));
    return BigInt(from) > BigInt(since) ? from : since;
  }

  async flush(): Promise<void> {
    await this.flushing;
    const channels = [...this.dirty];
    this.dirty.clear();
    if (!channels.length) return;
    this.flushing = (async () => {
      for (const channel of channels) {
        await this.store
          .run(
            `INSERT INTO discord_cursor (account, channel, last_seen, since) VALUES (?, ?, ?, ?)
             ON CONFLICT (account, channel) DO UPDATE SET last_seen = excluded.last_seen`,
            [this.account, channel, this.seen.get(channel)!, this.since.get(channel) ?? this.seen.get(channel)!],
          )
          .catch((err) => this.log.warn({ err, channel }, "could not save the Discord read position"));
      }
    })();
    await this.flushing;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
