/**
 * "The time of the meeting across the world": one instant shown in a list of zones. Computed afresh for every
 * instant (offsets are never cached: US and EU change on different weeks). Platforms that render reader-local
 * time markers (Discord `<t:…>`) get those as well.
 */
import { DateTime } from "luxon";

export interface WorldTimeOptions {
  /** Emit `<t:UNIX:F>` / `<t:UNIX:R>` markers (seconds, not milliseconds). */
  localTimeMarkers?: boolean;
  /** Include the date in each zone (when the meeting is not today everywhere). */
  withDate?: boolean;
}

/** `UTC+2`, `UTC−8`, `UTC+5:45`, `UTC`: an offset as people read it (a real minus sign, no padding). */
export function offsetLabel(minutes: number): string {
  if (minutes === 0) return "UTC";
  const a = Math.abs(minutes);
  return `UTC${minutes < 0 ? "−" : "+"}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, "0")}` : ""}`;
}

/**
 * Short city-ish label for a zone: `America/New_York` → `New York`, `UTC` → `UTC`. A fixed-offset zone is named by
 * its offset: `Etc/GMT+8` is UTC−8 (POSIX inverts the sign), so its own name must never be shown as "GMT+8".
 */
export function zoneLabel(zone: string): string {
  if (/^(Etc\/)?(GMT|UTC|UCT|Zulu|Universal|Greenwich)([+-]\d{1,2}(:?\d{2})?)?$/i.test(zone) || /^UTC[+-]/i.test(zone))
    return offsetLabel(DateTime.now().setZone(zone).offset);
  const last = zone.split("/").pop() ?? zone;
  return last.replace(/_/g, " ");
}

/** A zone as crier names it to people: its IANA name, or for a fixed offset the offset (`UTC+2`, not `Etc/GMT-2`). */
export function zoneName(zone: string): string {
  const label = zoneLabel(zone);
  return /^UTC([+−]|$)/.test(label) ? label : zone;
}

/** A zone's label with its abbreviation where that adds something: `16:00 Berlin (CET)`, never `UTC (UTC)`. */
export function labelWithAbbreviation(instantMs: number, zone: string): string {
  const label = zoneLabel(zone);
  const abbr = abbreviation(instantMs, zone);
  return abbr === label ? label : `${label} (${abbr})`;
}

/** `16:00 Berlin` style entry for one zone. */
export function zoneEntry(instantMs: number, zone: string, withDate = false): string {
  const dt = DateTime.fromMillis(instantMs, { zone });
  return `${dt.toFormat(withDate ? "ccc d LLL HH:mm" : "HH:mm")} ${zoneLabel(zone)}`;
}

/** `15:00 UTC = 16:00 Berlin = 10:00 New York` (plus Discord markers where they render). */
export function formatWorld(instantMs: number, zones: readonly string[], opts: WorldTimeOptions = {}): string {
  const dates = new Set(zones.map((z) => DateTime.fromMillis(instantMs, { zone: z }).toISODate()));
  const parts = zones.map((z) => zoneEntry(instantMs, z, opts.withDate ?? dates.size > 1));
  const text = parts.join(" = ");
  if (!opts.localTimeMarkers) return text;
  const secs = Math.floor(instantMs / 1000);
  return `<t:${secs}:F> (<t:${secs}:R>) — ${text}`;
}

const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-IN", "en-AU", "en-NZ"];

/**
 * The abbreviation readers know for a zone at an instant (CET, EST, BST, IST, AEDT…): ICU has each only in some
 * English locales, so try those before falling back to the offset (`UTC+5:45`).
 */
export function abbreviation(instantMs: number, zone: string): string {
  const dt = DateTime.fromMillis(instantMs, { zone });
  for (const locale of ABBREVIATION_LOCALES) {
    const name = dt.setLocale(locale).offsetNameShort ?? "";
    if (name === "UTC" || name === "GMT") return name;
    if (name && !/^(GMT|UTC)[+\-−]/.test(name)) return name;
  }
  // ICU's fallback is `GMT-8` / `GMT+5:45`; written from the offset itself so every label reads `UTC−8`.
  return offsetLabel(dt.offset);
}

/** `Wed 11 Feb 2015 15:00 UTC`: the echo that shows how crier understood a time. */
export function formatInstant(instantMs: number, zone: string): string {
  const dt = DateTime.fromMillis(instantMs, { zone });
  return `${dt.toFormat("ccc d LLL yyyy HH:mm")} ${abbreviation(instantMs, zone)}`;
}
