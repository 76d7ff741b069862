/**
 * Meeting reminders: the configured meetings' (default a day, an hour and ten minutes before each occurrence) and
 * those of a time picked in chat. They are this feature's kind of schedule: it words them, with the meeting's
 * agenda and page link in the template.
 */
import type { Config } from "../../config/schema.js";
import type { AppContext } from "../../core/context.js";
import { parseDuration } from "../../core/duration.js";
import { expandTargets } from "../../core/targets.js";
import { meetingSpec } from "../../services/recurrence.js";
import type { Firing, ScheduleInput, ScheduledMessage } from "../../services/scheduler.js";
import { templateMessages } from "../../services/templates.js";
import type { ScheduleBook } from "../schedules.js";
import { agendaText } from "./agenda.js";
import type { MeetingsState } from "./state.js";

export const MEETING_REMINDER = "meeting-reminder";
export const DEFAULT_REMINDER_TEXT = "{title} starts {countdown} — {time:world}";

/** What a meeting puts in an announcement's `{agenda}` (one line) and `{link}` (its page, with a public URL). */
export function meetingPlaceholders(app: AppContext, m: MeetingsState, meeting: string | undefined) {
  const base = app.config.http.publicUrl;
  return {
    agenda: meeting ? agendaText(m, meeting) : "",
    link: meeting && base ? `${base.replace(/\/$/, "")}/meetings/${meeting}` : "",
  };
}

export function renderMeetingReminder(m: MeetingsState, firing: Firing, app: AppContext): ScheduledMessage[] {
  return templateMessages(firing, app, meetingPlaceholders(app, m, firing.schedule.meta?.meeting));
}

/** The reminders the config's meetings ask for (also listed by `crier schedule`). */
export function configMeetingReminders(config: Config): ScheduleInput[] {
  return config.meetings.flatMap((m) =>
    m.reminders.map((offset) => ({
      id: `meeting:${m.id}:${offset}`,
      kind: MEETING_REMINDER,
      spec: meetingSpec(m),
      offsetMs: parseDuration(offset) ?? 0,
      text: m.reminderText ?? `${DEFAULT_REMINDER_TEXT}${m.place ? ` — ${m.place}` : ""}`,
      targets: expandTargets(config, m.links),
      graceMs: 600_000,
      source: "config" as const,
      meta: { title: m.title, place: m.place, meeting: m.id },
    })),
  );
}

/** Stores the configured meetings' reminders and retires those of meetings removed from the config. */
export async function syncConfigReminders(book: ScheduleBook, config: Config): Promise<void> {
  const wanted = configMeetingReminders(config);
  for (const s of wanted) await book.upsert(s);
  await book.retire(
    "config",
    wanted.map((s) => s.id),
  );
}
