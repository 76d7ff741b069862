/**
 * Durable delivery. Every outgoing message is written to the store under its idempotency key before it is sent,
 * then sent by one worker per target account, in order, at that account's pace; marked sent with the native ids
 * it produced, retried with backoff after failures and restarts, and parked (with an admin warning) when it can
 * never be delivered. The key doubles as the Matrix transaction id and the Discord nonce, so a retry after a crash
 * cannot duplicate on platforms that dedupe.
 */
import { type Adapter, type OutgoingMessage, PermanentSendError } from "../core/adapter.js";
import type { Logger } from "../core/log.js";
import type { Clock } from "../services/clock.js";
import type { Migration, Queryable, Store } from "../store/store.js";

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

export type OutboxOp = "send" | "edit" | "delete" | "react";

export interface OutboxRow {
  key: string;
  account: string;
  room: string;
  seq: number;
  op: OutboxOp;
  payload: string;
  meta: string | null;
  status: "pending" | "sending" | "sent" | "parked";
  attempts: number;
  next_at: number;
  created_at: number;
}

export interface OutboxItem {
  account: string;
  op?: OutboxOp;
  message: OutgoingMessage;
  /** Free-form data for hooks (the relay stores the origin message here). */
  meta?: unknown;
  /** Not before this time (epoch ms): paces catch-up deliveries after downtime. */
  notBefore?: number;
}

/** Resolves what an edit/delete/react targets at send time (the original may have been sent only just now). */
export type TargetResolver = (row: OutboxRow, message: OutgoingMessage) => Promise<string[] | undefined>;
export type SentHook = (tx: Queryable, row: OutboxRow, nativeIds: string[]) => Promise<void>;

const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
const MAX_PENDING_WARN = 1_000;

export class Outbox {
  private readonly workers = new Map<string, Worker>();
  private seqCounter = 0;
  private lastSeqBase = 0;
  private readonly sentHooks: SentHook[] = [];
  private resolver: TargetResolver = async () => undefined;
  private warn: (text: string, key: string) => void = () => undefined;
  private accepting = true;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  onSent(hook: SentHook): void {
    this.sentHooks.push(hook);
  }

  setTargetResolver(r: TargetResolver): void {
    this.resolver = r;
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
            it.meta === undefined ? null : JSON.stringify(it.meta),
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

  async depths(): Promise<Array<{ account: string; pending: number; parked: number; oldest: number | null }>> {
    return this.store.all(
      `SELECT account,
              SUM(CASE WHEN status IN ('pending','sending') THEN 1 ELSE 0 END) AS pending,
              SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END) AS parked,
              MIN(CASE WHEN status IN ('pending','sending') THEN created_at END) AS oldest
       FROM outbox GROUP BY account ORDER BY account`,
    );
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
    await this.store.tx(async (tx) => {
      await tx.run("UPDATE outbox SET status = 'sent', sent_at = ?, native_ids = ?, error = NULL WHERE key = ?", [
        this.clock.now(),
        JSON.stringify(nativeIds),
        row.key,
      ]);
      for (const hook of this.sentHooks) await hook(tx, row, nativeIds);
    });
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

  async pendingCount(account: string): Promise<number> {
    const r = await this.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM outbox WHERE account = ? AND status IN ('pending','sending')",
      [account],
    );
    const n = Number(r?.n ?? 0);
    if (n > MAX_PENDING_WARN) this.warn(`${n} messages are waiting for ${account}`, `outbox-depth:${account}`);
    return n;
  }

  resolveTargets(row: OutboxRow, message: OutgoingMessage) {
    return this.resolver(row, message);
  }

  clockNow(): number {
    return this.clock.now();
  }

  sleep(ms: number) {
    return this.clock.sleep(ms);
  }
}

class Worker {
  private stopped = false;
  private sleeping: { cancel(): void } | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapter: Adapter,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  wake(): void {
    this.sleeping?.cancel();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.idle;
  }

  run(): void {
    this.idle = this.loop().catch((err) => this.log.error({ err }, "outbox worker crashed"));
  }

  private async pause(ms: number): Promise<void> {
    const s = this.outbox.sleep(ms);
    this.sleeping = s;
    await s.done;
    this.sleeping = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let row: OutboxRow | undefined;
      try {
        row = await this.outbox.next(this.adapter.account);
      } catch (err) {
        this.log.error({ err }, "outbox read failed");
        await this.pause(5_000);
        continue;
      }
      if (!row) {
        await this.pause(60_000);
        continue;
      }
      const wait = row.next_at - this.outbox.clockNow();
      if (wait > 0) {
        await this.pause(wait);
        continue;
      }
      if (this.adapter.state() !== "connected") {
        await this.pause(1_000);
        continue;
      }
      try {
        await this.deliver(row);
      } catch (err) {
        // The store itself failed (disk full, read-only): keep the row as it is and try again later.
        this.log.error({ err, key: row.key }, "outbox could not record a delivery; retrying later");
        await this.pause(5_000);
      }
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const message = {
      ...(JSON.parse(row.payload) as Omit<OutgoingMessage, "idempotencyKey">),
      idempotencyKey: row.key,
    };
    try {
      await this.outbox.markSending(row);
      let nativeIds: string[] = [];
      // A row left "sending" by a crash may have gone out already; platforms that cannot dedupe are asked first.
      const seen =
        row.status === "sending" && row.op === "send" ? await this.adapter.alreadyDelivered?.(message) : undefined;
      if (seen) {
        this.log.info(
          { key: row.key, room: row.room },
          "message in flight at the last stop had been delivered; not sending it again",
        );
        nativeIds = seen;
      } else if (row.op === "send") {
        nativeIds = (await this.adapter.send(message)).nativeIds;
      } else {
        const targets = await this.outbox.resolveTargets(row, message);
        if (targets?.length) {
          if (row.op === "edit" && this.adapter.edit) await this.adapter.edit(row.room, targets, message);
          else if (row.op === "delete" && this.adapter.delete) await this.adapter.delete(row.room, targets);
          else if (row.op === "react" && this.adapter.react)
            await this.adapter.react(row.room, targets[0], JSON.parse(row.meta ?? "{}").emoji ?? "");
        }
      }
      await this.outbox.markSent(row, nativeIds);
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      if (err instanceof PermanentSendError) {
        this.log.warn({ key: row.key, room: row.room, error: msg }, "message parked: cannot be delivered");
        await this.outbox.park(row, msg);
      } else {
        const delay = await this.outbox.retryLater(row, msg);
        this.log.warn(
          { key: row.key, room: row.room, attempt: row.attempts + 1, retryInMs: Math.round(delay), error: msg },
          "send failed; will retry",
        );
      }
    }
  }
}
