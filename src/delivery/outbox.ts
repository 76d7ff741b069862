/**
 * Durable delivery. Every outgoing message is written to the store under its idempotency key before it is sent,
 * then sent by one worker per target account, in order, at that account's pace; marked sent with the native ids
 * it produced, retried with backoff after failures and restarts, and parked (with an admin warning) when it can
 * never be delivered. The key doubles as the Matrix transaction id and the Discord nonce, so a retry after a crash
 * cannot duplicate on platforms that dedupe.
 *
 * The interface is small: `enqueue`, `onDelivered` (a listener runs inside the mark-sent transaction) and
 * `depths` (status). What a message means to its sender travels as an opaque `ref`.
 */
import type { Adapter } from "../core/adapter.js";
import type { Logger } from "../core/log.js";
import type { Clock } from "../services/clock.js";
import type { Migration, Queryable, Store } from "../store/store.js";
import type { DeliveredListener, OutboxItem, OutboxRow, QueueStatus, RowMeta } from "./types.js";
import { rowMeta } from "./types.js";
import { Worker } from "./worker.js";

export type { Delivered, DeliveredListener, OutboxItem, OutboxOp, OutboxRow, QueueStatus } from "./types.js";

export const outboxMigrations: Migration[] = [
  {
    id: "outbox/1-outbox",
    sql: `CREATE TABLE outbox (
            key TEXT PRIMARY KEY, account TEXT NOT NULL, room TEXT NOT NULL, seq BIGINT NOT NULL,
            op TEXT NOT NULL, payload TEXT NOT NULL, meta TEXT,
            status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL, sent_at BIGINT, native_ids TEXT, error TEXT);
          CREATE INDEX outbox_pending ON outbox (account, status, seq)`,
  },
];

const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

export class Outbox {
  private readonly workers = new Map<string, Worker>();
  private seqCounter = 0;
  private lastSeqBase = 0;
  private readonly listeners: DeliveredListener[] = [];
  private warn: (text: string, key: string) => void = () => undefined;
  private accepting = true;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Runs `listener` for every completed delivery, inside the transaction that records it. */
  onDelivered(listener: DeliveredListener): void {
    this.listeners.push(listener);
  }

  setAdminWarning(fn: (text: string, key: string) => void): void {
    this.warn = fn;
  }

  /** A monotonic ordering number: wall-clock millis × 1000 plus a counter, never going backwards in a process. */
  private nextSeq(): number {
    const base = Math.max(this.clock.now(), this.lastSeqBase);
    if (base !== this.lastSeqBase) {
      this.lastSeqBase = base;
      this.seqCounter = 0;
    }
    return base * 1000 + this.seqCounter++;
  }

  /** Stores items (idempotently: a key already present is left alone) and wakes their workers. */
  async enqueue(items: OutboxItem[], q?: Queryable): Promise<number> {
    if (!this.accepting) throw new Error("crier is shutting down; not accepting new messages");
    let added = 0;
    const write = async (tx: Queryable) => {
      for (const it of items) {
        const { idempotencyKey, ...message } = it.message;
        const now = this.clock.now();
        const meta: RowMeta = { target: it.target, emoji: it.emoji, ref: it.ref };
        const r = await tx.run(
          `INSERT INTO outbox (key, account, room, seq, op, payload, meta, status, next_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (key) DO NOTHING`,
          [
            idempotencyKey,
            it.account,
            message.room,
            this.nextSeq(),
            it.op ?? "send",
            JSON.stringify(message),
            it.target || it.emoji !== undefined || it.ref !== undefined ? JSON.stringify(meta) : null,
            Math.max(now, it.notBefore ?? 0),
            now,
          ],
        );
        added += r.changes;
      }
    };
    if (q) await write(q);
    else await this.store.tx(write);
    for (const a of new Set(items.map((i) => i.account))) this.workers.get(a)?.wake();
    return added;
  }

  /** Starts a worker for an adapter; it drains whatever is pending from before a restart too. */
  attach(adapter: Adapter): void {
    if (this.workers.has(adapter.account)) return;
    const w = new Worker(adapter, this, this.log.child({ outbox: adapter.account }));
    this.workers.set(adapter.account, w);
    w.run();
  }

  wake(account: string): void {
    this.workers.get(account)?.wake();
  }

  /** Status per account: messages waiting, parked, and when the oldest waiting one was queued. */
  async depths(): Promise<QueueStatus[]> {
    const rows = await this.store.all<QueueStatus>(
      `SELECT account,
              SUM(CASE WHEN status IN ('pending','sending') THEN 1 ELSE 0 END) AS pending,
              SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END) AS parked,
              MIN(CASE WHEN status IN ('pending','sending') THEN created_at END) AS oldest
       FROM outbox GROUP BY account ORDER BY account`,
    );
    return rows.map((r) => ({
      account: r.account,
      pending: Number(r.pending),
      parked: Number(r.parked),
      oldest: r.oldest === null ? null : Number(r.oldest),
    }));
  }

  /** Stops taking new work and waits (bounded) for in-flight sends to finish. */
  async stop(timeoutMs = 1500): Promise<void> {
    this.accepting = false;
    const stops = [...this.workers.values()].map((w) => w.stop());
    await Promise.race([Promise.all(stops), new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  /** Removes delivered rows older than `maxAgeMs` (the message map keeps what edits need). */
  async prune(maxAgeMs: number): Promise<number> {
    return (
      await this.store.run("DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?", [this.clock.now() - maxAgeMs])
    ).changes;
  }

  // --- used by workers ---
  async next(account: string): Promise<OutboxRow | undefined> {
    return this.store.get<OutboxRow>(
      "SELECT * FROM outbox WHERE account = ? AND status IN ('pending','sending') ORDER BY seq LIMIT 1",
      [account],
    );
  }

  async markSending(row: OutboxRow): Promise<void> {
    await this.store.run("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE key = ?", [row.key]);
  }

  async markSent(row: OutboxRow, nativeIds: string[]): Promise<void> {
    const { ref } = rowMeta(row);
    await this.store.tx(async (tx) => {
      await tx.run("UPDATE outbox SET status = 'sent', sent_at = ?, native_ids = ?, error = NULL WHERE key = ?", [
        this.clock.now(),
        JSON.stringify(nativeIds),
        row.key,
      ]);
      const delivered = { key: row.key, account: row.account, room: row.room, op: row.op, nativeIds, ref };
      for (const listener of this.listeners) await listener(tx, delivered);
    });
  }

  /** The native ids an edit/delete/react acts on: given with it, or those of the earlier delivery it names. */
  async targetsOf(row: OutboxRow): Promise<string[] | undefined> {
    const { target } = rowMeta(row);
    if (target?.nativeIds?.length) return target.nativeIds;
    if (!target?.key) return undefined;
    const r = await this.store.get<{ native_ids: string | null }>(
      "SELECT native_ids FROM outbox WHERE key = ? AND account = ? AND room = ? AND status = 'sent'",
      [target.key, row.account, row.room],
    );
    return r?.native_ids ? (JSON.parse(r.native_ids) as string[]) : undefined;
  }

  async retryLater(row: OutboxRow, error: string): Promise<number> {
    const delay = BACKOFF_MS[Math.min(row.attempts, BACKOFF_MS.length - 1)] * (0.8 + Math.random() * 0.4);
    await this.store.run("UPDATE outbox SET status = 'pending', next_at = ?, error = ? WHERE key = ?", [
      this.clock.now() + delay,
      error.slice(0, 500),
      row.key,
    ]);
    return delay;
  }

  async park(row: OutboxRow, error: string): Promise<void> {
    await this.store.run("UPDATE outbox SET status = 'parked', error = ? WHERE key = ?", [
      error.slice(0, 500),
      row.key,
    ]);
    this.warn(
      `a message to ${row.account} ${row.room} cannot be delivered and was parked: ${error}`,
      `outbox-parked:${row.account}:${row.room}`,
    );
  }

  clockNow(): number {
    return this.clock.now();
  }

  sleep(ms: number) {
    return this.clock.sleep(ms);
  }
}
