import { z } from "zod";
import { isValidZone } from "../zone.js";

export const zoneSchema = z.string().refine(isValidZone, { message: "not an IANA time zone (e.g. Europe/Berlin)" });

export const timezonesSchema = z
  .strictObject({
    default: zoneSchema.default("UTC"),
    /** The "time of the meeting across the world" list, in display order. */
    world: z
      .array(zoneSchema)
      .default([
        "UTC",
        "America/Los_Angeles",
        "America/New_York",
        "Europe/London",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Asia/Tokyo",
        "Australia/Sydney",
      ]),
    /** Per-room default zones: key `<account>/<room>`. */
    rooms: z.record(z.string(), zoneSchema).default({}),
    /** Rooms (`<account>/<room>`) where times with a zone are converted automatically. */
    autoConvert: z.array(z.string()).default([]),
  })
  .default({
    default: "UTC",
    world: ["UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"],
    rooms: {},
    autoConvert: [],
  });
