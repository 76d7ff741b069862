/** One delivery worker per account: takes the next due row, sends it through the adapter, records the outcome. */
import { type Adapter, type OutgoingMessage, PermanentSendError } from "../core/adapter.js";
import type { Logger } from "../core/log.js";
import type { Outbox } from "./outbox.js";
import { type OutboxRow, rowMeta } from "./types.js";

export class Worker {
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
        const targets = await this.outbox.targetsOf(row);
        if (targets?.length) {
          if (row.op === "edit" && this.adapter.edit) await this.adapter.edit(row.room, targets, message);
          else if (row.op === "delete" && this.adapter.delete) await this.adapter.delete(row.room, targets);
          else if (row.op === "react" && this.adapter.react)
            await this.adapter.react(row.room, targets[0], rowMeta(row).emoji ?? "");
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
