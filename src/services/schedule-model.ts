/**
 * What the schedule engine stores and computes, without the engine: its tables, a schedule and its occurrences,
 * and the recurrence arithmetic the live loop and `crier schedule` share.
 */
import type { RoomRef, UserRef } from "../core/model.js";
import type { Migration } from "../store/store.js";
import { nextAfter, type RecurrenceSpec } from "./recurrence.js";

export const schedulerMigrations: Migration[] = [
  {
    id: "scheduler/1-schedules",
    sql: `CREATE TABLE schedules (id TEXT PRIMARY KEY, kind TEXT NOT NULL, spec TEXT NOT NULL, offset_ms BIGINT NOT NULL DEFAULT 0,
            text TEXT NOT NULL, targets TEXT NOT NULL, owner TEXT, mention TEXT, grace_ms BIGINT NOT NULL, source TEXT NOT NULL,
            meta TEXT, active INTEGER NOT NULL, next_at BIGINT, last_due BIGINT, created_at BIGINT NOT NULL);
          CREATE INDEX schedules_due ON schedules (active, next_at);
          CREATE INDEX schedules_owner ON schedules (owner, active);
          CREATE TABLE schedule_runs (key TEXT PRIMARY KEY, schedule_id TEXT NOT NULL, due_at BIGINT NOT NULL, status TEXT NOT NULL,
            at BIGINT NOT NULL)`,
  },
  {
    // Reminders used to store their wording ("reminder: " before the person's text when addressed to them); they
    // store the person's text only now and the remind feature words them as it sends. Old rows lose the prefix.
    id: "scheduler/2-reminder-text-only",
    sql: `UPDATE schedules SET text = substr(text, 11)
          WHERE kind = 'reminder' AND mention IS NOT NULL AND substr(text, 1, 10) = 'reminder: '`,
  },
];

/** A kind of schedule is named by the feature that owns it, renders it and registers it with the engine. */
export type ScheduleKind = string;

export interface ScheduleMeta {
  title?: string;
  place?: string;
  meeting?: string;
  /** Zone the person asked in (reminders), for listing. */
  zone?: string;
  /** One-line description of the recurrence, for listing ("every monday 09:00"). */
  every?: string;
}

export interface ScheduleInput {
  id: string;
  kind: ScheduleKind;
  spec: RecurrenceSpec;
  /** Fire this long before each occurrence of `spec` (meeting reminders). */
  offsetMs?: number;
  text: string;
  targets: RoomRef[];
  /** Identity key of the person who asked (reminders). */
  owner?: string;
  /** Who a reminder is addressed to, per platform. */
  mention?: UserRef;
  graceMs: number;
  source: "config" | "chat" | "meeting";
  meta?: ScheduleMeta;
}

export interface ScheduleRow {
  id: string;
  kind: ScheduleKind;
  spec: string;
  offset_ms: number;
  text: string;
  targets: string;
  owner: string | null;
  mention: string | null;
  grace_ms: number;
  source: string;
  meta: string | null;
  active: number;
  next_at: number | null;
}

export interface Occurrence {
  id: string;
  kind: ScheduleKind;
  /** When it fires. */
  at: number;
  /** What it is about (the meeting start for meeting reminders). */
  about: number;
  zone: string;
  targets: RoomRef[];
  text: string;
  mention?: UserRef;
  meta: ScheduleMeta;
}

const specZone = (spec: RecurrenceSpec): string => ("zone" in spec ? spec.zone : "UTC");

/** The next firing time strictly after `after` (a meeting reminder fires `offsetMs` before each occurrence). */
export function nextFire(spec: RecurrenceSpec, offsetMs: number, after: number): number | undefined {
  const base = nextAfter(spec, after + offsetMs);
  return base === undefined ? undefined : base - offsetMs;
}

/** Every firing of the given schedules in (from, until] — the same arithmetic the live loop uses. */
export function occurrencesOf(
  schedules: readonly ScheduleInput[],
  from: number,
  until: number,
  limit = 10_000,
): Occurrence[] {
  const out: Occurrence[] = [];
  for (const s of schedules) {
    let t = from;
    for (let i = 0; i < limit; i++) {
      const at = nextFire(s.spec, s.offsetMs ?? 0, t);
      if (at === undefined || at > until) break;
      out.push({
        id: s.id,
        kind: s.kind,
        at,
        about: at + (s.offsetMs ?? 0),
        zone: specZone(s.spec),
        targets: s.targets,
        text: s.text,
        mention: s.mention,
        meta: s.meta ?? {},
      });
      t = at;
    }
  }
  return out.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

export function fromRow(row: ScheduleRow): ScheduleInput & { nextAt: number | null; active: boolean } {
  return {
    id: row.id,
    kind: row.kind,
    spec: JSON.parse(row.spec) as RecurrenceSpec,
    offsetMs: Number(row.offset_ms),
    text: row.text,
    targets: JSON.parse(row.targets) as RoomRef[],
    owner: row.owner ?? undefined,
    mention: row.mention ? (JSON.parse(row.mention) as UserRef) : undefined,
    graceMs: Number(row.grace_ms),
    source: row.source as ScheduleInput["source"],
    meta: row.meta ? (JSON.parse(row.meta) as ScheduleMeta) : undefined,
    nextAt: row.next_at === null ? null : Number(row.next_at),
    active: !!row.active,
  };
}
