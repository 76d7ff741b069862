/**
 * Runs the schedule engine and keeps it in step with the config: every `schedules:` entry becomes an announcement,
 * every `meetings:` entry a set of meeting reminders (default a day, an hour and ten minutes before). Entries removed
 * from the config are retired; unchanged ones keep their place (nothing refires after a restart).
 */
import type { Config } from "../config/schema.js";
import type { ScheduleConfig } from "../config/sections/schedules.js";
import type { Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { expandTargets } from "../core/targets.js";
import { meetingSpec, type RecurrenceSpec } from "../services/recurrence.js";
import { type ScheduleInput, Scheduler, schedulerMigrations } from "../services/scheduler.js";

export const DEFAULT_REMINDER_TEXT = "{title} starts {countdown} — {time:world}";

/** `now` is the start of this run: `after` schedules count from it. */
export function announcementSpec(s: ScheduleConfig, now: number): RecurrenceSpec {
  if (s.after) return { kind: "instant", at: now + (parseDuration(s.after) ?? 0) };
  if (s.cron) return { kind: "cron", expr: s.cron, zone: s.zone };
  if (s.rrule) return { kind: "rrule", rule: s.rrule, start: s.start!, zone: s.zone };
  return { kind: "at", local: s.at!, zone: s.zone };
}

export { meetingSpec };

/** The schedules the config asks for, in the engine's terms (also used by `crier schedule`). */
export function configSchedules(config: Config, now: number): ScheduleInput[] {
  const out: ScheduleInput[] = [];
  for (const s of config.schedules) {
    out.push({
      id: `config:${s.id}`,
      kind: "announcement",
      spec: announcementSpec(s, now),
      text: s.text,
      targets: expandTargets(config, s.to),
      graceMs: parseDuration(s.grace) ?? 600_000,
      source: "config",
      meta: { title: s.title, place: s.place, meeting: s.meeting },
    });
  }
  for (const m of config.meetings) {
    for (const offset of m.reminders) {
      out.push({
        id: `meeting:${m.id}:${offset}`,
        kind: "meeting-reminder",
        spec: meetingSpec(m),
        offsetMs: parseDuration(offset) ?? 0,
        text: m.reminderText ?? `${DEFAULT_REMINDER_TEXT}${m.place ? ` — ${m.place}` : ""}`,
        targets: expandTargets(config, m.links),
        graceMs: 600_000,
        source: "config",
        meta: { title: m.title, place: m.place, meeting: m.id },
      });
    }
  }
  return out;
}

/** What other features use of this one: the engine, to store and cancel their own schedules. */
export interface Schedules {
  readonly scheduler: Scheduler;
}

/** The schedule engine's feature; the engine exists from `init` on (it needs the store). */
export function schedulesFeature(): Feature & Schedules {
  let engine: Scheduler | undefined;
  return {
    name: "schedules",
    migrations: schedulerMigrations,
    get scheduler(): Scheduler {
      if (!engine) throw new Error("the schedules feature is not initialised yet");
      return engine;
    },
    async init(app) {
      const scheduler = new Scheduler(app);
      engine = scheduler;
      const wanted = configSchedules(app.config, app.clock.now());
      for (const s of wanted) await scheduler.upsert(s);
      await scheduler.retire(
        "config",
        wanted.map((s) => s.id),
      );
    },
    async start() {
      engine?.start();
    },
    async stop() {
      await engine?.stop();
    },
  };
}
