import { z } from "zod";
import { zoneSchema } from "./timezones.js";

/** A config-driven announcement. Exactly one of cron, rrule (+ start), at or after. */
export const scheduleSchema = z
  .strictObject({
    id: z.string().regex(/^[\w-]+$/),
    cron: z.string().optional(),
    rrule: z.string().optional(),
    /** Local start for rrule (`2026-01-07T16:00`), in `zone`. */
    start: z.string().optional(),
    /** One-off local date-time. */
    at: z.string().optional(),
    /** A one-off this long after each start (`20s`): the demo's first announcement, a "crier is back" note. */
    after: z
      .string()
      .regex(/^\d+[smh]$/, "a duration like 20s or 5m")
      .optional(),
    zone: zoneSchema,
    text: z.string().min(1).max(4000),
    /** Link names, or `<account>/<room>` targets. */
    to: z.array(z.string()).min(1),
    /** Late delivery window after downtime, e.g. "10m". */
    grace: z.string().default("10m"),
    title: z.string().optional(),
    place: z.string().optional(),
    meeting: z.string().optional(),
  })
  .refine((s) => [s.cron, s.rrule, s.at, s.after].filter(Boolean).length === 1, {
    message: "give exactly one of cron, rrule, at or after",
  })
  .refine((s) => !s.rrule || !!s.start, { message: "rrule needs start (local date-time)", path: ["start"] });

export const schedulesSchema = z.array(scheduleSchema).default([]);
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
