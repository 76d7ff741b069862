/**
 * Per-person zones (a person is all their linked identities) and how crier shows one instant to people: in their
 * zone, in a list of zones, with reader-local markers where the platform renders them.
 */
import { DateTime } from "luxon";
import type { AppContext } from "../core/context.js";
import type { RoomRef, UserRef } from "../core/model.js";
import { abbreviation, labelWithAbbreviation, offsetLabel } from "./world-time.js";
import { resolveZone } from "./zone-fallback.js";

export const userZone = (app: AppContext, user: Pick<UserRef, "account" | "id">, room?: RoomRef): Promise<string> =>
  resolveZone(app, user, room);

/** The zone a person set themselves, if any (no fallbacks). */
export async function ownZone(app: AppContext, user: Pick<UserRef, "account" | "id">): Promise<string | undefined> {
  return app.identity.getPref(await app.identity.personId(user), "zone");
}

export async function setUserZone(
  app: AppContext,
  user: Pick<UserRef, "account" | "id">,
  zone: string | null,
): Promise<void> {
  await app.identity.setPref(await app.identity.personId(user), "zone", zone);
}

/** `16:00 CET (UTC+1)` for one zone (`17:00 UTC+2` when the abbreviation is the offset), with the date when asked. */
export function localLine(instant: number, zone: string, withDate = false): string {
  const dt = DateTime.fromMillis(instant, { zone });
  const abbr = abbreviation(instant, zone);
  const offset = offsetLabel(dt.offset);
  return `${dt.toFormat(withDate ? "ccc d LLL HH:mm" : "HH:mm")} ${abbr}${abbr === offset ? "" : ` (${offset})`}`;
}

/** `16:00 Berlin · 15:00 London · 10:00 New York`, with dates where the day differs from the first zone's. */
export function zonesLine(instant: number, zones: readonly string[]): string {
  const firstDay = zones.length ? DateTime.fromMillis(instant, { zone: zones[0] }).toISODate() : undefined;
  return zones
    .map((z) => {
      const dt = DateTime.fromMillis(instant, { zone: z });
      const day = dt.toISODate() === firstDay ? "" : `${dt.toFormat("ccc")} `;
      return `${day}${dt.toFormat("HH:mm")} ${labelWithAbbreviation(instant, z)}`;
    })
    .join(" · ");
}

/** Discord-style markers: every reader sees their own local time. Seconds, not milliseconds. */
export const localMarkers = (instant: number): string =>
  `<t:${Math.floor(instant / 1000)}:F> (<t:${Math.floor(instant / 1000)}:R>)`;

export function uniqueZones(zones: readonly string[]): string[] {
  return [...new Set(zones)];
}
