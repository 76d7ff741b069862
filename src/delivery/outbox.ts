/**
 * Durable delivery. Every outgoing message is written to the store under its idempotency key before it is sent,
 * then sent by one worker per target account — each room in order, rooms in parallel (round-robin, a bounded number
 * at a time), answers ahead of relayed traffic — marked sent with the native ids it produced, retried with backoff
 * after failures and restarts, and parked (with one admin warning) when it can never be delivered or its room kept
 * failing too long. The key doubles as the Matrix transaction id and the Discord nonce, so a retry after a crash
 * cannot duplicate on platforms that dedupe.
 *
 * The interface is small: `enqueue`, `onDelivered` (a listener runs inside the mark-sent transaction) and
 * `depths`/`roomDepths` (status). What a message means to its sender travels as an opaque `ref`.
 */
import type { Adapter } from "../core/adapter.js";
import { backoffDelay } from "../core/backoff.js";
import type { Logger } from "../core/log.js";
import type { Clock } from "../services/clock.js";
import { type Fence, unfenced } from "../store/fence.js";
import type { Migration, Queryable, Store } from "../store/store.js";
import { ANSWER_LANE, RELAY_LANE } from "./combine.js";
import type { DeliveredListener, OutboxItem, OutboxRow, QueueStatus, RowMeta } from "./types.js";
import { RETRY, rowMeta } from "./types.js";
import { type DeliveryPolicy, Worker } from "./worker.js";

export type { Delivered, DeliveredListener, OutboxItem, OutboxOp, OutboxRow, QueueStatus } from "./types.js";
export type { DeliveryPolicy } from "./worker.js";

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
  {
    id: "outbox/2-room-queues",
    sql: `ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
          ALTER TABLE outbox ADD COLUMN batch TEXT;
          ALTER TABLE outbox ADD COLUMN failing_since BIGINT;
          CREATE INDEX outbox_room_queue ON outbox (account, room, status, lane, seq);
          CREATE INDEX outbox_batch ON outbox (batch)`,
  },
];

const WAITING = "status IN ('pending','sending')";

export const DEFAULT_POLICY: DeliveryPolicy = {
  roomsInParallel: 4,
  parkAfterAttempts: 8,
  parkAfterMs: 600_000,
  combineAfter: 3,
};

export class Outbox {
  private readonly workers = new Map<string, Worker>();
  private seqCounter = 0;
  private lastSeqBase = 0;
  private readonly listeners: DeliveredListener[] = [];
  private warn: (text: string, key: string) => void = () => undefined;
  private accepting = true;
  /** Messages that went out combined with others, per account (for /metrics). */
  readonly combined = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: DeliveryPolicy = DEFAULT_POLICY,
    private readonly fence: Fence = unfenced,
  ) {}

  /** A transaction that commits only while this instance is the active one (every write of delivery state). */
  private fenced<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.store.tx(async (tx) => {
      await this.fence.check(tx);
      return fn(tx);
    });
  }

  /** Synchronous, just before a send leaves: false once this instance may no longer be the active one. */
  mayAct(): boolean {
    return this.fence.holds();
  }

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
      await this.fence.check(tx);
      for (const it of items) {
        const { idempotencyKey, ...message } = it.message;
        const now = this.clock.now();
        const meta: RowMeta = { target: it.target, emoji: it.emoji, ref: it.ref };
        const lane =
          (it.lane ?? (message.kind === "relay" ? "relay" : "answer")) === "relay" ? RELAY_LANE : ANSWER_LANE;
        const r = await tx.run(
          `INSERT INTO outbox (key, account, room, seq, op, payload, meta, status, next_at, created_at, lane)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
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
            lane,
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
    const w = new Worker(adapter, this, this.policy, this.log.child({ outbox: adapter.account }));
    this.workers.set(adapter.account, w);
    w.run();
  }

  /** Stops the worker of an account that is removed or replaced (a reload); its rows stay for the next worker. */
  async detach(account: string, timeoutMs = 1500): Promise<void> {
    const w = this.workers.get(account);
    this.workers.delete(account);
    if (w) await Promise.race([w.stop(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  wake(account: string): void {
    this.workers.get(account)?.wake();
  }

  /** Status per account: messages waiting, parked, and when the oldest waiting one was queued. */
  async depths(): Promise<QueueStatus[]> {
    return this.status("account");
  }

  /** The same per room (only rooms with something waiting or parked). */
  async roomDepths(): Promise<QueueStatus[]> {
    return this.status("account, room");
  }

  private async status(by: "account" | "account, room"): Promise<QueueStatus[]> {
    const rows = await this.store.all<QueueStatus>(
      `SELECT ${by},
              SUM(CASE WHEN ${WAITING} THEN 1 ELSE 0 END) AS pending,
              SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END) AS parked,
              MIN(CASE WHEN ${WAITING} THEN created_at END) AS oldest
       FROM outbox WHERE status <> 'sent' OR ? = 'account' GROUP BY ${by} ORDER BY ${by}`,
      [by],
    );
    return rows.map((r) => ({
      account: r.account,
      ...(r.room === undefined ? {} : { room: r.room }),
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

  /** Rooms of an account with something waiting. */
  async rooms(account: string): Promise<string[]> {
    const rows = await this.store.all<{ room: string }>(
      `SELECT DISTINCT room FROM outbox WHERE account = ? AND ${WAITING}`,
      [account],
    );
    return rows.map((r) => r.room);
  }

  /** The first `limit` rows waiting for one room, in the order they go out (answers first, then by seq). */
  async head(account: string, room: string, limit: number): Promise<OutboxRow[]> {
    return this.store.all<OutboxRow>(
      `SELECT * FROM outbox WHERE account = ? AND room = ? AND ${WAITING} ORDER BY lane, seq LIMIT ?`,
      [account, room, limit],
    );
  }

  /** The rows of one combined message, in order. */
  async batchRows(batch: string): Promise<OutboxRow[]> {
    return this.store.all<OutboxRow>("SELECT * FROM outbox WHERE batch = ? ORDER BY seq", [batch]);
  }

  /** Marks rows as going out (together, when `batch` is given: the combination is recorded before the send). */
  async markSending(rows: OutboxRow[], batch?: string): Promise<void> {
    await this.fenced(async (tx) => {
      for (const row of rows)
        await tx.run(
          "UPDATE outbox SET status = 'sending', attempts = attempts + 1, batch = COALESCE(?, batch) WHERE key = ?",
          [batch ?? null, row.key],
        );
    });
  }

  async markSent(rows: OutboxRow[], nativeIds: string[]): Promise<void> {
    await this.fenced(async (tx) => {
      for (const row of rows) {
        await tx.run(
          "UPDATE outbox SET status = 'sent', sent_at = ?, native_ids = ?, error = NULL, failing_since = NULL WHERE key = ?",
          [this.clock.now(), JSON.stringify(nativeIds), row.key],
        );
        const { ref } = rowMeta(row);
        const delivered = { key: row.key, account: row.account, room: row.room, op: row.op, nativeIds, ref };
        for (const listener of this.listeners) await listener(tx, delivered);
      }
    });
    if (rows.length > 1) this.combined.set(rows[0].account, (this.combined.get(rows[0].account) ?? 0) + rows.length);
  }

  /** The delivered row an edit/delete/react names by key (if it went out), else the native ids it was given. */
  async targetOf(row: OutboxRow): Promise<{ nativeIds: string[]; row?: OutboxRow } | undefined> {
    const { target } = rowMeta(row);
    if (target?.key) {
      const r = await this.store.get<OutboxRow & { native_ids: string | null }>(
        "SELECT * FROM outbox WHERE key = ? AND account = ? AND room = ? AND status = 'sent'",
        [target.key, row.account, row.room],
      );
      if (r?.native_ids) return { nativeIds: JSON.parse(r.native_ids) as string[], row: r };
    }
    return target?.nativeIds?.length ? { nativeIds: target.nativeIds } : undefined;
  }

  /** Rewrites a delivered member of a combined message (edited or removed), so the next re-render keeps it. */
  async updatePayload(key: string, payload: unknown): Promise<void> {
    await this.fenced((tx) => tx.run("UPDATE outbox SET payload = ? WHERE key = ?", [JSON.stringify(payload), key]));
  }

  /** Schedules another attempt; true when the room has failed long and often enough to be parked instead. */
  async retryLater(rows: OutboxRow[], error: string): Promise<{ delay: number; giveUp: boolean }> {
    const head = rows[0];
    const now = this.clock.now();
    const since = head.failing_since === null ? now : Number(head.failing_since);
    const attempts = head.attempts + 1;
    const giveUp = attempts >= this.policy.parkAfterAttempts && now - since >= this.policy.parkAfterMs;
    const delay = backoffDelay(RETRY, head.attempts);
    if (giveUp) return { delay: 0, giveUp };
    await this.fenced(async (tx) => {
      for (const row of rows)
        await tx.run("UPDATE outbox SET status = 'pending', next_at = ?, error = ?, failing_since = ? WHERE key = ?", [
          now + delay,
          error.slice(0, 500),
          since,
          row.key,
        ]);
    });
    return { delay, giveUp };
  }

  /** Parks rows that can never be delivered; the room's admins hear of it once. */
  async park(rows: OutboxRow[], error: string): Promise<void> {
    await this.fenced(async (tx) => {
      for (const row of rows)
        await tx.run("UPDATE outbox SET status = 'parked', error = ? WHERE key = ?", [error.slice(0, 500), row.key]);
    });
    const { account, room } = rows[0];
    this.warn(
      `a message to ${account} ${room} cannot be delivered and was parked: ${error}`,
      `outbox-parked:${account}:${room}`,
    );
  }

  /** Parks everything waiting for a room that kept failing, so it holds nothing else up; admins hear of it once. */
  async parkRoom(account: string, room: string, error: string): Promise<number> {
    const r = await this.fenced((tx) =>
      tx.run(`UPDATE outbox SET status = 'parked', error = ? WHERE account = ? AND room = ? AND ${WAITING}`, [
        `gave up: ${error}`.slice(0, 500),
        account,
        room,
      ]),
    );
    this.warn(
      `${account} ${room} kept failing (${error}); ${r.changes} waiting message(s) parked — \`!outbox\` lists them`,
      `outbox-parked:${account}:${room}`,
    );
    return r.changes;
  }

  clockNow(): number {
    return this.clock.now();
  }

  sleep(ms: number) {
    return this.clock.sleep(ms);
  }
}
