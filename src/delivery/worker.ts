/**
 * One delivery worker per account. Each room has its own queue (in order: answers, then relayed traffic); the worker
 * serves the rooms round-robin, at most `roomsInParallel` at a time, one message (or one combined run) per turn, so a
 * busy or failing room never holds another. A room whose head is waiting out a backoff is skipped until it is due.
 */
import { type Adapter, type OutgoingMessage, PermanentSendError } from "../core/adapter.js";
import type { Logger } from "../core/log.js";
import { Loop } from "../core/loop.js";
import { FencedError } from "../store/fence.js";
import { combinableRun, combinedMessage, type Payload, payloadOf } from "./combine.js";
import type { Outbox } from "./outbox.js";
import { LONGEST_RETRY_MS, type OutboxRow, rowMeta } from "./types.js";

export interface DeliveryPolicy {
  roomsInParallel: number;
  parkAfterAttempts: number;
  parkAfterMs: number;
  combineAfter: number;
}

/** Rows read per turn: enough to see a combinable run of the longest platform limit. */
const HEAD_ROWS = 100;

export class Worker {
  /** Starts the rooms that are due, then sleeps until a turn ends, a message comes or a backoff ends. */
  private readonly loop: Loop;
  /** Once stopped, never started again (a late run() after stop() is a no-op, as before). */
  private stopped = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Rooms in turn order; a room served goes to the back. */
  private ring: string[] = [];
  /** Rooms whose head is backing off: until when, and the clock's reading when that was decided. */
  private readonly dueAt = new Map<string, { at: number; setAt: number }>();

  constructor(
    private readonly adapter: Adapter,
    private readonly outbox: Outbox,
    private readonly policy: DeliveryPolicy,
    private readonly log: Logger,
  ) {
    this.loop = new Loop(
      { sleep: (ms) => outbox.sleep(ms) },
      () => this.pass(),
      (err) => log.error({ err }, "outbox worker crashed"),
    );
  }

  /** Something may be ready: a new message, a finished turn. Rooms backing off stay backing off. */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await Promise.all(this.inFlight.values());
  }

  run(): void {
    if (!this.stopped) this.loop.start();
  }

  /** Starts a turn for each room that is due, as many as may run at once; returns how long to sleep. */
  private async pass(): Promise<number> {
    if (this.adapter.state() !== "connected") return 1_000;
    let rooms: string[];
    try {
      rooms = await this.outbox.rooms(this.adapter.account);
    } catch (err) {
      this.log.error({ err }, "outbox read failed");
      return 5_000;
    }
    const waiting = new Set(rooms);
    this.ring = [...this.ring.filter((r) => waiting.has(r)), ...rooms.filter((r) => !this.ring.includes(r))];
    const now = this.outbox.clockNow();
    let soonest = Number.POSITIVE_INFINITY;
    for (const room of [...this.ring]) {
      if (this.inFlight.size >= this.policy.roomsInParallel) break;
      if (this.inFlight.has(room)) continue;
      const due = this.dueAt.get(room);
      // A wall clock stepped back (NTP, a restored VM) must not hold a room for the length of the step.
      if (due && due.at > now && due.setAt <= now) {
        soonest = Math.min(soonest, due.at);
        continue;
      }
      this.dueAt.delete(room);
      this.ring = [...this.ring.filter((r) => r !== room), room];
      const turn = this.turn(room).finally(() => {
        this.inFlight.delete(room);
        this.wake();
      });
      this.inFlight.set(room, turn);
    }
    // Woken by a finished turn, a new message or the earliest backoff ending; a minute at most.
    return Math.max(0, Math.min(soonest - now, 60_000));
  }

  /** One turn of a room: the next message at its head (or a combined run, or a half-sent batch), sent and recorded. */
  private async turn(room: string): Promise<void> {
    try {
      const rows = await this.outbox.head(this.adapter.account, room, HEAD_ROWS);
      const head = rows[0];
      if (!head) return;
      const now = this.outbox.clockNow();
      if (head.next_at > now && !(head.attempts > 0 && head.next_at - now > LONGEST_RETRY_MS)) {
        this.backOff(room, head.next_at);
        return;
      }
      if (head.batch) return await this.deliver(await this.outbox.batchRows(head.batch), head.batch);
      const run = rows.length >= this.policy.combineAfter ? combinableRun(rows, this.adapter.capabilities, now) : [];
      if (run.length) return await this.deliver(run, run[0].key);
      await this.deliver([head]);
    } catch (err) {
      // The store itself failed (disk full, read-only): keep the rows as they are and try again later.
      this.log.error({ err, room }, "outbox could not record a delivery; retrying later");
      this.backOff(room, this.outbox.clockNow() + 5_000);
    }
  }

  private backOff(room: string, at: number): void {
    this.dueAt.set(room, { at, setAt: this.outbox.clockNow() });
  }

  private async deliver(rows: OutboxRow[], batch?: string): Promise<void> {
    const row = rows[0];
    const message = batch
      ? combinedMessage(rows, batch)!
      : { ...(payloadOf(row) as Omit<OutgoingMessage, "idempotencyKey">), idempotencyKey: row.key };
    try {
      await this.outbox.markSending(rows, batch);
      // The claim above committed under the lease; a process paused since (or whose lease ran out) sends nothing.
      if (!this.outbox.mayAct()) throw new FencedError("the lease ran out before the send");
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
        await this.actOn(row, message);
      }
      await this.outbox.markSent(rows, nativeIds);
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      if (err instanceof FencedError) {
        // Not this instance's to record any more: the row stays as it is; the active instance resolves it by the
        // in-flight rules (a row left "sending" is checked with the platform before it is sent again).
        this.log.warn({ key: row.key, room: row.room, reason: msg }, "not the active instance; delivery stopped");
        return;
      }
      if (err instanceof PermanentSendError) {
        this.log.warn({ key: row.key, room: row.room, error: msg }, "message parked: cannot be delivered");
        await this.outbox.park(rows, msg);
        return;
      }
      const { delay, giveUp } = await this.outbox.retryLater(rows, msg);
      if (giveUp) {
        const n = await this.outbox.parkRoom(row.account, row.room, msg);
        this.log.warn({ room: row.room, parked: n, error: msg }, "room kept failing; its waiting messages are parked");
        return;
      }
      this.backOff(row.room, this.outbox.clockNow() + delay);
      this.log.warn(
        { key: row.key, room: row.room, attempt: row.attempts + 1, retryInMs: Math.round(delay), error: msg },
        "send failed; will retry",
      );
    }
  }

  /** An edit, delete or reaction; one that touches a member of a combined message re-renders that message. */
  private async actOn(row: OutboxRow, message: OutgoingMessage): Promise<void> {
    const target = await this.outbox.targetOf(row);
    if (!target?.nativeIds.length) return;
    const { nativeIds } = target;
    const a = this.adapter;
    if (row.op === "react") {
      if (a.react) await a.react(row.room, nativeIds[0], rowMeta(row).emoji ?? "", message);
      return;
    }
    const batch = target.row?.batch;
    if (batch && (row.op === "edit" ? a.edit : a.delete)) {
      const members = await this.outbox.batchRows(batch);
      const i = members.findIndex((m) => m.key === target.row!.key);
      const changed: Payload =
        row.op === "edit"
          ? { ...payloadOf(members[i]), body: message.body }
          : { ...payloadOf(members[i]), removed: true };
      members[i] = { ...members[i], payload: JSON.stringify(changed) };
      const whole = combinedMessage(members, batch);
      if (whole && a.edit) await a.edit(row.room, nativeIds, whole);
      else if (!whole && a.delete) await a.delete(row.room, nativeIds);
      await this.outbox.updatePayload(members[i].key, changed);
      return;
    }
    if (row.op === "edit" && a.edit) await a.edit(row.room, nativeIds, message);
    else if (row.op === "delete" && a.delete) await a.delete(row.room, nativeIds);
  }
}
