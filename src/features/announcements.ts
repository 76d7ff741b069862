/**
 * The config's `schedules:` entries: each is an announcement, a templated text posted on its recurrence. They are
 * this feature's kind of schedule; entries removed from the config are retired, unchanged ones keep their place
 * (nothing refires after a restart). An announcement about a meeting shows that meeting's agenda and link.
 */
import type { Config } from "../config/schema.js";
import type { ScheduleConfig } from "../config/sections/schedules.js";
import type { Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { expandTargets } from "../core/targets.js";
import type { RecurrenceSpec } from "../services/recurrence.js";
import type { ScheduleInput } from "../services/scheduler.js";
import { templateMessages } from "../services/templates.js";
import type { Meetings } from "./meetings/index.js";
import type { Schedules } from "./schedules.js";

export const ANNOUNCEMENT = "announcement";

/** `now` is the start of this run: `after` schedules count from it. */
export function announcementSpec(s: ScheduleConfig, now: number): RecurrenceSpec {
  if (s.after) return { kind: "instant", at: now + (parseDuration(s.after) ?? 0) };
  if (s.cron) return { kind: "cron", expr: s.cron, zone: s.zone };
  if (s.rrule) return { kind: "rrule", rule: s.rrule, start: s.start!, zone: s.zone };
  return { kind: "at", local: s.at!, zone: s.zone };
}

/** The announcements the config asks for, in the engine's terms (also listed by `crier schedule`). */
export function configAnnouncements(config: Config, now: number): ScheduleInput[] {
  return config.schedules.map((s) => ({
    id: `config:${s.id}`,
    kind: ANNOUNCEMENT,
    spec: announcementSpec(s, now),
    text: s.text,
    targets: expandTargets(config, s.to),
    graceMs: parseDuration(s.grace) ?? 600_000,
    source: "config" as const,
    meta: { title: s.title, place: s.place, meeting: s.meeting },
  }));
}

/** Needs the schedules feature (to run them) and the meetings feature (for `{agenda}` and `{link}`). */
export function announcementsFeature(deps: {
  schedules: Schedules;
  meetings: Pick<Meetings, "placeholders">;
}): Feature {
  const book = deps.schedules.register(ANNOUNCEMENT, {
    render: (firing, app) => templateMessages(firing, app, deps.meetings.placeholders(firing.schedule.meta?.meeting)),
  });
  return {
    name: "announcements",
    async init(app) {
      const wanted = configAnnouncements(app.config, app.clock.now());
      for (const s of wanted) await book.upsert(s);
      await book.retire(
        "config",
        wanted.map((s) => s.id),
      );
    },
  };
}
