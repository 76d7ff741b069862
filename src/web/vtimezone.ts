/**
 * VTIMEZONE components for the calendar, from timezones-ical-library (vzic output of a current tzdata release; it
 * replaced @touch4it/ical-timezones, whose tzdata 2018g still had DST for America/Sao_Paulo, lacked Europe/Kyiv and
 * so sent those series to the fallback below). Each component is still checked against the time zone database
 * crier schedules by (Node's ICU, through luxon) at the series' coming instants: the two databases are released
 * separately and either can be behind. A series whose zone fails the check is published as separate UTC
 * occurrences instead (see ics.ts). An alias (Asia/Calcutta) gets its target's rules under its own TZID.
 */
import { DateTime } from "luxon";
import { tzlib_get_ical_block, tzlib_get_timezones } from "timezones-ical-library";
import rrulePkg from "rrule";

const { rrulestr } = rrulePkg;

interface Observance {
  /** TZOFFSETFROM / TZOFFSETTO in minutes east of UTC. */
  from: number;
  to: number;
  /** Onsets on a floating clock (UTC fields = local wall time before the change), ascending. */
  onsets: number[];
}

const minutes = (v: string): number => {
  const m = /^([+-])(\d\d)(\d\d)/.exec(v);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : Number.NaN;
};

/** The observances with their onsets from the last one before `lo` up to `hi` (expanded once per check). */
function observances(component: string, lo: number, hi: number): Observance[] {
  const blocks = component.match(/BEGIN:(STANDARD|DAYLIGHT)[\s\S]*?END:\1/g) ?? [];
  return blocks.map((b) => {
    const prop = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(b)?.[1]?.trim();
    const start = prop("DTSTART") ?? "19700101T000000";
    const rrule = prop("RRULE");
    const first = DateTime.fromFormat(start, "yyyyLLdd'T'HHmmss", { zone: "UTC" }).toMillis();
    const rule = rrule ? rrulestr(`DTSTART:${start}Z\nRRULE:${rrule}`) : undefined;
    const onsets = rule
      ? [rule.before(new Date(lo), true), ...rule.between(new Date(lo), new Date(hi), true)].flatMap((d) =>
          d ? [d.getTime()] : [],
        )
      : [first];
    return { from: minutes(prop("TZOFFSETFROM") ?? ""), to: minutes(prop("TZOFFSETTO") ?? ""), onsets };
  });
}

/** The UTC offset (minutes) the component gives at an instant: that of the observance which began last. */
function offsetAt(obs: Observance[], at: number): number | undefined {
  let best: { onset: number; to: number } | undefined;
  for (const o of obs) {
    const f = o.onsets.findLast((x) => x <= at + o.from * 60_000);
    if (f === undefined) continue;
    const onset = f - o.from * 60_000;
    if (!best || onset > best.onset) best = { onset, to: o.to };
  }
  return best?.to;
}

/** Where VTIMEZONE text for a zone name comes from (the library; a test may pass another). */
export type VtimezoneSource = (zone: string) => string | undefined;

/** Zone names the library has blocks for (aliases included); asking it for another one logs to the console. */
let known: Set<string> | undefined;

/** The library's VTIMEZONE for `zone`, as it ships it (an alias carries its target's TZID), or undefined. */
export function packagedVtimezone(zone: string): string | undefined {
  known ??= new Set(tzlib_get_timezones() as string[]);
  if (!known.has(zone)) return undefined;
  const block = tzlib_get_ical_block(zone);
  return Array.isArray(block) && block[0] ? block[0] : undefined;
}

/**
 * The VTIMEZONE for `zone` (TZID set to that very name), or undefined when `source` (the library) has none or it
 * gives another UTC offset than the tz database at any of `instants` (a series' coming occurrences).
 */
export function checkedVtimezone(
  zone: string,
  instants: number[],
  source: VtimezoneSource = packagedVtimezone,
): string | undefined {
  const component = source(zone);
  if (!component || !instants.length) return undefined;
  const day = 86_400_000;
  const obs = observances(component, Math.min(...instants) - day, Math.max(...instants) + day);
  for (const at of instants) if (offsetAt(obs, at) !== DateTime.fromMillis(at, { zone }).offset) return undefined;
  return component.replace(/^TZID:.*$/m, `TZID:${zone}`).trim();
}
