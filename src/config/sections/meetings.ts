import { z } from "zod";
import { parseDuration } from "../../core/duration.js";
import { zoneSchema } from "./timezones.js";

const durationSchema = z.string().superRefine((value, ctx) => {
  if (parseDuration(value) === undefined)
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(value.slice(0, 40))} is not a duration like 1h or 90m` });
});

export const meetingSchema = z.strictObject({
  id: z.string().regex(/^[\w-]+$/),
  title: z.string().min(1).max(200),
  /** Local start (`2026-12-02T16:00`) in `zone`; with rrule it is the first occurrence. */
  start: z.string(),
  zone: zoneSchema,
  rrule: z.string().optional(),
  duration: durationSchema.default("1h"),
  place: z.string().optional(),
  /** Link names to announce in and to take minutes on. */
  links: z.array(z.string()).default([]),
  agenda: z.array(z.strictObject({ text: z.string().min(1), owner: z.string().optional() })).default([]),
  /** Reminder offsets before the start. */
  reminders: z.array(z.string()).default(["24h", "1h", "10m"]),
  reminderText: z.string().optional(),
});

export const meetingsSchema = z.array(meetingSchema).default([]);
export type MeetingConfig = z.infer<typeof meetingSchema>;
