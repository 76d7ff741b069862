import { z } from "zod";
import { allZones } from "../../services/zone-names.js";
import { didYouMean } from "../../core/suggest.js";
import { isValidZone } from "../../core/zone.js";

/** A zone name; a wrong one is echoed with the closest real name. */
export const zoneSchema = z.string().superRefine((value, ctx) => {
  if (isValidZone(value)) return;
  const hint = value.length <= 64 ? didYouMean(value, allZones()) : "";
  ctx.addIssue({
    code: "custom",
    message: `not an IANA time zone: ${JSON.stringify(value.slice(0, 64))}${hint || " (e.g. Europe/Berlin)"}`,
  });
});

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
