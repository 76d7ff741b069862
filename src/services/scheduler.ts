/**
 * The schedule engine. Schedules live in the store with their next due time (indexed); one timer loop sleeps until
 * the earliest (in chunks, re-reading the clock on every wake, so clock steps and stalls are survived) and fires what
 * is due. Firing an occurrence — recording it under its unique key (schedule + instant), enqueueing its messages
 * in the outbox and moving the schedule on — is one transaction: a crash before it commits fires again after the
 * restart, a crash after it is delivered by the outbox; never twice, never zero times. Several instances on one
 * PostgreSQL store cannot double-fire either: the occurrence key is unique, and the claim is fenced by the lease
 * (only the active instance's claim commits).
 *
 * What an occurrence says is not the engine's business: the feature that owns a kind of schedule registers how its
 * occurrences read (templates, agendas, mentions, wording), and the engine only fires kinds someone renders.
 */
import type { AppContext } from "../core/context.js";
import { Loop } from "../core/loop.js";
import type { RoomRef } from "../core/model.js";
import type { RichText } from "../core/richtext.js";
import type { OutboxItem } from "../delivery/outbox.js";
import { FencedError } from "../store/fence.js";
import type { Queryable } from "../store/store.js";
import type { RecurrenceSpec } from "./recurrence.js";
import { fromRow, nextFire, type ScheduleInput, type ScheduleKind, type ScheduleRow } from "./schedule-model.js";

export {
  nextFire,
  type Occurrence,
  occurrencesOf,
  type ScheduleInput,
  type ScheduleKind,
  type ScheduleMeta,
  schedulerMigrations,
} from "./schedule-model.js";

/** One occurrence as it fires, handed to the renderer of its kind. */
export interface Firing {
  schedule: ScheduleInput;
  /** When it was due. */
  due: number;
  /** When it is posted: `due`, or later after downtime. */
  now: number;
  /** Posted late (only kinds delivered however late see this; the others are reported missed instead). */
  late: boolean;
}

/** One message of an occurrence, for one room; the engine adds the idempotency key and the pacing. */
export interface ScheduledMessage {
  room: RoomRef;
  body: RichText;
  allowedMentions?: string[];
}

/** What the feature owning a kind of schedule tells the engine about it. */
export interface ScheduleKindHandling {
  /** The occurrence's messages, one per target room, worded by the owning feature. */
  render(firing: Firing, app: AppContext): ScheduledMessage[];
  /**
   * People's reminders: delivered however late (marked late past LATE_MARK_MS) and fired even when already due as
   * they are stored. Without it, an occurrence more than its grace (at least a minute) late is reported missed.
   */
  deliverLate?: boolean;
}

const BATCH = 200;
const LATE_SPACING_MS = 1_000;
/** A reminder delivered more than this after its time is marked late: 10 s is past any scheduler wake-up delay. */
const LATE_MARK_MS = 10_000;

export class Scheduler {
  /** Passes over what is due, sleeping until the next schedule (at most a minute; an upsert wakes it). */
  private readonly loop: Loop;
  /** Fired-occurrence listeners (tests, metrics). */
  readonly fired: Array<(o: { id: string; due: number; late: boolean; missed: boolean }) => void> = [];
  /** The kinds of schedule the engine fires; rows of another kind (their feature removed) wait untouched. */
  private readonly kindNames: string[];

  constructor(
    private readonly app: AppContext,
    private readonly kinds: ReadonlyMap<ScheduleKind, ScheduleKindHandling>,
  ) {
    this.kindNames = [...kinds.keys()];
    this.loop = new Loop(
      { sleep: (ms) => app.clock.sleep(ms) },
      () => this.pass(),
      (err) => app.log.error({ err }, "scheduler loop crashed"),
    );
  }

  private handling(kind: ScheduleKind): ScheduleKindHandling {
    const h = this.kinds.get(kind);
    if (!h) throw new Error(`no feature renders schedules of kind "${kind}"`);
    return h;
  }

  /** Kinds of active schedules in the store that no feature renders (a feature was removed): they never fire. */
  async unrendered(): Promise<string[]> {
    const rows = await this.app.store.all<{ kind: string }>("SELECT DISTINCT kind FROM schedules WHERE active = 1");
    return rows.map((r) => r.kind).filter((k) => !this.kinds.has(k));
  }

  private get kindList(): string {
    return this.kindNames.map(() => "?").join(", ") || "NULL";
  }

  nextFire(spec: RecurrenceSpec, offsetMs: number, after: number): number | undefined {
    return nextFire(spec, offsetMs, after);
  }

  /** Creates or updates a schedule; a changed recurrence is re-armed from now (nothing past is fired). */
  async upsert(input: ScheduleInput): Promise<void> {
    const { deliverLate } = this.handling(input.kind);
    const now = this.app.clock.now();
    const spec = JSON.stringify(input.spec);
    const existing = await this.app.store.get<{
      spec: string;
      offset_ms: number;
      next_at: number | null;
      active: number;
    }>("SELECT spec, offset_ms, next_at, active FROM schedules WHERE id = ?", [input.id]);
    const same =
      existing && existing.spec === spec && Number(existing.offset_ms) === (input.offsetMs ?? 0) && existing.active;
    // Someone's reminder that is already due when stored (crier was slow, or restarted while storing it) still
    // fires, late, rather than being stored as done without ever having been sent. (A meeting's "1 day before"
    // reminder for a meeting picked an hour ahead is different: it is rightly never sent.)
    const next = same
      ? existing.next_at
      : input.spec.kind === "instant" && deliverLate
        ? input.spec.at + (input.offsetMs ?? 0)
        : (this.nextFire(input.spec, input.offsetMs ?? 0, now) ?? null);
    await this.app.store.run(
      `INSERT INTO schedules (id, kind, spec, offset_ms, text, targets, owner, mention, grace_ms, source, meta, active, next_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, spec = excluded.spec, offset_ms = excluded.offset_ms, text = excluded.text,
         targets = excluded.targets, owner = excluded.owner, mention = excluded.mention, grace_ms = excluded.grace_ms,
         source = excluded.source, meta = excluded.meta, active = excluded.active, next_at = excluded.next_at`,
      [
        input.id,
        input.kind,
        spec,
        input.offsetMs ?? 0,
        input.text,
        JSON.stringify(input.targets),
        input.owner ?? null,
        input.mention ? JSON.stringify(input.mention) : null,
        input.graceMs,
        input.source,
        input.meta ? JSON.stringify(input.meta) : null,
        next === null ? 0 : 1,
        next,
        now,
      ],
    );
    this.wake();
  }

  async cancel(id: string): Promise<boolean> {
    const r = await this.app.store.run("UPDATE schedules SET active = 0, next_at = NULL WHERE id = ? AND active = 1", [
      id,
    ]);
    return r.changes > 0;
  }

  /** Deactivates schedules of a source that are no longer wanted (config entries removed). */
  async retire(source: string, keep: readonly string[], kind: ScheduleKind): Promise<void> {
    const rows = await this.app.store.all<{ id: string }>(
      "SELECT id FROM schedules WHERE source = ? AND kind = ? AND active = 1",
      [source, kind],
    );
    for (const r of rows) if (!keep.includes(r.id)) await this.cancel(r.id);
  }

  /** Moves a (one-off) schedule to a new time and re-activates it. */
  async moveTo(id: string, at: number): Promise<void> {
    await this.app.store.run("UPDATE schedules SET spec = ?, active = 1, next_at = ? WHERE id = ?", [
      JSON.stringify({ kind: "instant", at }),
      at,
      id,
    ]);
    this.wake();
  }

  async get(id: string): Promise<(ScheduleInput & { nextAt: number | null; active: boolean }) | undefined> {
    const row = await this.app.store.get<ScheduleRow>("SELECT * FROM schedules WHERE id = ?", [id]);
    return row ? fromRow(row) : undefined;
  }

  /** Every active schedule in the store (for `crier schedule`). */
  static async stored(store: import("../store/store.js").Store): Promise<ScheduleInput[]> {
    const rows = await store.all<ScheduleRow>(
      "SELECT * FROM schedules WHERE active = 1 AND source <> 'config' ORDER BY next_at",
    );
    return rows.map(fromRow);
  }

  /** Active schedules of one owner, or of one kind, or both; soonest first. */
  async list(
    where: { owner: string; kind?: ScheduleKind } | { owner?: string; kind: ScheduleKind },
  ): Promise<Array<ScheduleInput & { nextAt: number | null; active: boolean }>> {
    const terms = [where.owner === undefined ? "" : "owner = ?", where.kind === undefined ? "" : "kind = ?"];
    const args = [where.owner, where.kind].filter((a) => a !== undefined);
    const rows = await this.app.store.all<ScheduleRow>(
      `SELECT * FROM schedules WHERE ${terms.filter(Boolean).join(" AND ")} AND active = 1 ORDER BY next_at`,
      args,
    );
    return rows.map((r) => fromRow(r));
  }

  async countActive(owner: string, kind: ScheduleKind): Promise<number> {
    const r = await this.app.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM schedules WHERE owner = ? AND kind = ? AND active = 1",
      [owner, kind],
    );
    return Number(r?.n ?? 0);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Fires what is due (a batch at a time); returns how long to sleep before the next pass. */
  private async pass(): Promise<number> {
    const { store, clock, log } = this.app;
    let wait = 60_000;
    try {
      const now = clock.now();
      const due = await store.all<ScheduleRow>(
        `SELECT * FROM schedules WHERE active = 1 AND next_at <= ? AND kind IN (${this.kindList}) ORDER BY next_at, id LIMIT ?`,
        [now, ...this.kindNames, BATCH],
      );
      let late = 0;
      for (const row of due) {
        if (!this.loop.isRunning) break;
        late = await this.fire(row, now, late);
      }
      if (due.length === BATCH) return 0;
      const next = await store.get<{ t: number | null }>(
        `SELECT MIN(next_at) AS t FROM schedules WHERE active = 1 AND kind IN (${this.kindList})`,
        this.kindNames,
      );
      if (next?.t !== null && next?.t !== undefined) wait = Math.max(0, Number(next.t) - clock.now());
    } catch (err) {
      if (err instanceof FencedError) log.warn({ reason: err.message }, "scheduler: not the active instance");
      else log.error({ err }, "scheduler pass failed; retrying");
      wait = 5_000;
    }
    return wait;
  }

  /** Fires one due occurrence; returns the updated count of late deliveries in this pass (for pacing). */
  private async fire(row: ScheduleRow, now: number, lateSoFar: number): Promise<number> {
    const s = fromRow(row);
    const due = Number(row.next_at);
    const { render, deliverLate } = this.handling(s.kind);
    // A person's reminder more than LATE_MARK_MS after its time says so; an announcement is only "late" past its
    // grace (at least a minute), and then it is reported missed instead of posted.
    const late = now - due > (deliverLate ? LATE_MARK_MS : Math.max(s.graceMs, 60_000));
    const missed = late && !deliverLate;
    const key = `${s.id}@${new Date(due).toISOString()}`;
    // Catch up to the present: the occurrences skipped while crier was away are not replayed one by one.
    const next = this.nextFire(s.spec, s.offsetMs ?? 0, Math.max(due, now)) ?? null;
    let paced = lateSoFar;
    const items: OutboxItem[] = missed
      ? []
      : render({ schedule: s, due, now, late }, this.app).map((m) => ({
          account: m.room.account,
          message: {
            room: m.room.room,
            body: m.body,
            kind: "notice",
            idempotencyKey: `${key}->${m.room.account}/${m.room.room}`,
            allowedMentions: m.allowedMentions,
          },
        }));
    if (late && !missed) {
      for (const it of items) it.notBefore = now + paced * LATE_SPACING_MS;
      paced++;
    }
    const fresh = await this.app.store.tx(async (tx: Queryable) => {
      // The occurrence is claimed only while this instance holds the lease (FencedError otherwise).
      await this.app.fence.check(tx);
      const r = await tx.run(
        "INSERT INTO schedule_runs (key, schedule_id, due_at, status, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [key, s.id, due, missed ? "missed" : late ? "late" : "sent", now],
      );
      if (r.changes && items.length) await this.app.outbox.enqueue(items, tx);
      await tx.run("UPDATE schedules SET next_at = ?, active = ?, last_due = ? WHERE id = ? AND next_at = ?", [
        next,
        next === null ? 0 : 1,
        due,
        s.id,
        due,
      ]);
      return r.changes > 0;
    });
    if (fresh && missed) {
      await this.app.warnAdmins(
        `"${s.meta?.title ?? s.id}" was due at ${new Date(due).toISOString()} while crier was offline and was not posted (more than ${Math.round(s.graceMs / 60_000)} min late)`,
        `missed:${key}`,
      );
    }
    if (fresh) for (const f of this.fired) f({ id: s.id, due, late, missed });
    return paced;
  }
}
