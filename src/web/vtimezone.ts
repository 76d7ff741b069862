/**
 * VTIMEZONE components for the calendar, from @touch4it/ical-timezones — but only where they agree with the time
 * zone database crier schedules by (Node's ICU, through luxon). That package's data is tzdata 2018g: it still has
 * daylight saving time for zones that dropped it since (America/Sao_Paulo, America/Mexico_City, Asia/Tehran, …),
 * lacks newer zones (Europe/Kyiv) and names aliases by their target (Asia/Calcutta → TZID Asia/Kolkata). A series
 * whose zone fails the check is published as separate UTC occurrences instead (see ics.ts).
 */
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { DateTime } from "luxon";
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

/**
 * The VTIMEZONE for `zone` (TZID set to that very name), or undefined when the package has none or it gives another
 * UTC offset than the tz database at any of `instants` (a series' coming occurrences).
 */
export function checkedVtimezone(zone: string, instants: number[]): string | undefined {
  const component = getVtimezoneComponent(zone);
  if (!component || !instants.length) return undefined;
  const day = 86_400_000;
  const obs = observances(component, Math.min(...instants) - day, Math.max(...instants) + day);
  for (const at of instants) if (offsetAt(obs, at) !== DateTime.fromMillis(at, { zone }).offset) return undefined;
  return component.replace(/^TZID:.*$/m, `TZID:${zone}`).trim();
}
