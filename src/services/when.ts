/**
 * Reading a time people typed ("15:00 UTC", "3pm Berlin", "tomorrow 9:30 in Tokyo", "in 2h", "2015-02-11 15:00
 * UTC") into a UTC instant. chrono-node finds the date and wall-clock time; the zone is read here (zone names,
 * cities, offsets, abbreviations) and the wall clock is placed in it with luxon, so the host's zone never leaks in.
 * DST: a wall-clock time in a spring-forward gap takes the offset before the gap (02:30 → 03:30 new time, RFC 5545
 * §3.3.5); one that occurs twice is the first occurrence, and both candidates are reported.
 */
import { createRequire } from "node:module";
import { DateTime } from "luxon";
import { UserError } from "../core/errors.js";
import { formatInstant } from "./world-time.js";
import { ABBREVIATIONS, cityIndex, formatOffset, offsetZone, resolveZoneName } from "./zone-names.js";

type Chrono = typeof import("chrono-node/en");
let chronoParser: Chrono | undefined;
/**
 * chrono-node's English parser, loaded on the first time read (about 7 MiB resident that a crier nobody asks the
 * time of never needs); the English parser alone, as the package root also loads 14 other locales.
 */
const chrono = (): Chrono => {
  chronoParser ??= createRequire(import.meta.url)("chrono-node/en") as Chrono;
  return chronoParser;
};

export interface WhenResult {
  /** UTC epoch milliseconds. */
  instant: number;
  /** The zone the text was read in (named in it, or the asker's). */
  zone: string;
  /** True when the text named its zone. */
  explicitZone: boolean;
  /** How crier understood it: "Wed 11 Feb 2015 15:00 UTC". */
  echo: string;
  /** The wall-clock time occurs twice (fall-back): every candidate instant, earliest first (the one taken). */
  ambiguous?: { candidates: number[] };
  /** The wall-clock time does not exist (spring-forward gap): what it was moved to, and why. */
  nonexistent?: { shiftedTo: number; note: string };
  /** Assumptions worth saying (an abbreviation read one way, a fixed offset without DST). */
  notes: string[];
  /** The text around the time expression (a reminder's message). */
  rest: string;
}

export interface WhenOptions {
  /** Zone for text that names none: the asker's. */
  zone: string;
  now: number;
  /** Prefer the next occurrence of a bare time ("at 15:00" after 15:00 means tomorrow). Default true. */
  forward?: boolean;
}

const MAX_INPUT = 300;
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const RELATIVE =
  /^\s*in\s+((?:\d{1,6}(?:\.\d+)?\s*(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b\s*(?:,|and)?\s*)+)/i;

/** `in 2h 30m` → milliseconds. */
function relativeMs(spec: string): number {
  let total = 0;
  for (const m of spec.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const unit = m[2].toLowerCase();
    const key = unit.startsWith("mo") ? "" : unit.startsWith("mi") || unit === "m" ? "m" : unit[0];
    total += Number(m[1]) * (UNIT_MS[key] ?? 0);
  }
  return total;
}

const ABBR_ALTERNATION = Object.keys(ABBREVIATIONS).join("|");
const ZONE_TOKEN = new RegExp(
  String.raw`^(?:in\s+)?(?:(UTC|GMT)\s*([+\-−]\s*\d{1,2}(?::?\d{2})?)|([A-Za-z]+(?:\/[A-Za-z0-9_+\-]+)+)|\b(UTC|GMT|Z)\b|\b(${ABBR_ALTERNATION})\b|([+\-−]\d{1,2}(?::?\d{2})?)(?![\d:]))`,
);

interface ZoneHit {
  zone: string;
  length: number;
  notes: string[];
}

/** A zone written at the start of `s` (after an optional "in"). */
function zoneAt(s: string, when: number): ZoneHit | undefined {
  const lead = s.length - s.trimStart().length;
  const t = s.trimStart();
  const m = ZONE_TOKEN.exec(t);
  if (m) {
    const length = lead + m[0].length;
    if (m[1]) {
      const offset = resolveZoneName(`${m[1]}${m[2].replace(/\s/g, "")}`);
      if (offset?.kind === "zone") return { zone: offset.zone, length, notes: offset.note ? [offset.note] : [] };
    }
    if (m[3]) {
      const r = resolveZoneName(m[3]);
      if (r?.kind === "zone") return { zone: r.zone, length, notes: [] };
      throw new UserError(`"${m[3].slice(0, 40)}" is not a time zone I know`);
    }
    if (m[4]) return { zone: "UTC", length, notes: [] };
    if (m[5]) return abbreviationZone(m[5], length, when);
    if (m[6]) {
      const r = resolveZoneName(m[6]);
      if (r?.kind === "zone") return { zone: r.zone, length, notes: r.note ? [r.note] : [] };
    }
  }
  // A city of one to four words: "Berlin", "New York", "São Paulo", "Rio de Janeiro".
  const words = /^(in\s+)?([\p{L}.'-]+(?:\s+[\p{L}.'-]+){0,3})/u.exec(t);
  if (!words) return undefined;
  const parts = words[2].split(/\s+/);
  for (let n = parts.length; n >= 1; n--) {
    const phrase = parts.slice(0, n).join(" ");
    const zone = resolveZoneName(phrase);
    if (zone?.kind === "zone" && cityIndex().size) {
      const consumed = (words[1] ?? "").length + phrase.length;
      return { zone: zone.zone, length: lead + consumed, notes: [] };
    }
  }
  return undefined;
}

/** An abbreviation means its fixed offset as written; say which reading was taken and whether it fits the date. */
function abbreviationZone(abbr: string, length: number, when: number): ZoneHit {
  const [first, ...others] = ABBREVIATIONS[abbr];
  const notes = [`${abbr} read as ${first.label} (UTC${formatOffset(first.offsetMinutes)})`];
  if (others.length)
    notes.push(
      `it can also mean ${others.map((o) => `${o.label} (UTC${formatOffset(o.offsetMinutes)})`).join(", ")} — name a city to be sure`,
    );
  const actual = DateTime.fromMillis(when, { zone: first.zone }).offset;
  if (actual !== first.offsetMinutes) {
    notes.push(
      `${first.zone.split("/").pop()?.replace(/_/g, " ")} is at UTC${formatOffset(actual)} on that date; name the city if you meant its local time`,
    );
  }
  return { zone: offsetZone(first.offsetMinutes), length, notes };
}

/** "now" as a floating wall clock in `zone`, for chrono (which then works in UTC wall-clock terms). */
function floatingRef(now: number, zone: string) {
  const dt = DateTime.fromMillis(now, { zone });
  return { instant: new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second)), timezone: 0 };
}

/** Places a wall-clock time in a zone by the DST rule above. */
export function placeWallClock(
  fields: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
  zone: string,
): { instant: number; ambiguous?: number[]; nonexistent?: { shiftedTo: number; note: string } } {
  if (fields.year < MIN_YEAR || fields.year > MAX_YEAR)
    throw new UserError(`${fields.year} is out of range: I handle years ${MIN_YEAR} to ${MAX_YEAR}`);
  const dt = DateTime.fromObject({ ...fields, second: fields.second ?? 0, millisecond: 0 }, { zone });
  if (!dt.isValid) throw new UserError(`that date does not exist (${dt.invalidExplanation ?? "invalid"})`);
  const possible = dt
    .getPossibleOffsets()
    .map((d) => d.toMillis())
    .sort((a, b) => a - b);
  if (dt.hour !== fields.hour || dt.minute !== fields.minute || dt.day !== fields.day) {
    const hhmm = `${String(fields.hour).padStart(2, "0")}:${String(fields.minute).padStart(2, "0")}`;
    const asked = DateTime.fromObject(
      { year: fields.year, month: fields.month, day: fields.day },
      { zone: "UTC" },
    ).toFormat("d LLL yyyy");
    return {
      instant: dt.toMillis(),
      nonexistent: {
        shiftedTo: dt.toMillis(),
        note: `${hhmm} does not exist on ${asked} in ${zone} (the clocks jump forward there); taken as ${formatInstant(dt.toMillis(), zone)}`,
      },
    };
  }
  if (possible.length > 1) return { instant: possible[0], ambiguous: possible };
  return { instant: dt.toMillis() };
}

export function parseWhen(input: string, opts: WhenOptions): WhenResult {
  const text = input.replace(/\s+/g, " ").trim();
  if (!text) throw new UserError("give a time, e.g. 15:00 UTC, 3pm Berlin, tomorrow 9:30, in 2h");
  if (text.length > MAX_INPUT) throw new UserError(`that is too long to read as a time (over ${MAX_INPUT} characters)`);

  const rel = RELATIVE.exec(text);
  if (rel) {
    const ms = relativeMs(rel[1]);
    if (!ms) throw new UserError(`"${rel[0].trim()}" is not a duration I can read`);
    const instant = opts.now + ms;
    if (DateTime.fromMillis(instant).year > MAX_YEAR) throw new UserError(`that is after the year ${MAX_YEAR}`);
    return {
      instant,
      zone: opts.zone,
      explicitZone: false,
      echo: formatInstant(instant, opts.zone),
      notes: [],
      rest: text.slice(rel[0].length).trim(),
    };
  }

  // chrono's own forwardDate would compare in mixed frames once a zone is named; roll forward after placing instead.
  const first = chrono().parse(text, floatingRef(opts.now, opts.zone), { forwardDate: false })[0];
  if (!first)
    throw new UserError(`I could not find a time in "${text.slice(0, 60)}" — try 15:00 UTC, 3pm Berlin, tomorrow 9:30`);
  const c = first.start;
  const fields = {
    year: c.get("year")!,
    month: c.get("month")!,
    day: c.get("day")!,
    hour: c.get("hour") ?? 12,
    minute: c.get("minute") ?? 0,
    second: c.get("second") ?? 0,
  };

  // chrono may have swallowed a zone abbreviation into its match; read zones ourselves.
  let spanEnd = first.index + first.text.length;
  let spanText = first.text;
  const tail = /\s*(?:(?:UTC|GMT)\s*(?:[+\-−]\s*\d{1,2}(?::?\d{2})?)?|Z|[A-Z]{2,5}|[+\-−]\d{1,2}(?::?\d{2})?)$/.exec(
    spanText,
  );
  let zoneHit: ZoneHit | undefined;
  if (tail && c.isCertain("timezoneOffset")) {
    spanText = spanText.slice(0, spanText.length - tail[0].length);
    spanEnd = first.index + spanText.length;
  }
  const approx = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute);
  zoneHit = zoneAt(text.slice(spanEnd), approx);
  if (zoneHit) spanEnd += zoneHit.length;
  else if (c.isCertain("timezoneOffset")) {
    // chrono read a zone somewhere inside its match ("at 15:00 UTC today"): find it there.
    for (let i = 0; i < first.text.length && !zoneHit; i++) {
      if (i > 0 && /\w/.test(first.text[i - 1])) continue;
      const hit = zoneAt(first.text.slice(i), approx);
      if (hit && /^\s*(?:in\s+)?(?:UTC|GMT|Z\b|[A-Z]{2,5}\b|[+\-−]\d|[A-Za-z]+\/)/.test(first.text.slice(i)))
        zoneHit = hit;
    }
  }
  const zone = zoneHit?.zone ?? opts.zone;
  let placed = placeWallClock(fields, zone);
  if (opts.forward ?? true) {
    // A bare time means its next occurrence; a bare weekday, the next such day.
    const step = c.isCertain("day") ? 0 : c.isCertain("weekday") ? 7 : 1;
    for (let i = 0; step && placed.instant <= opts.now && i < 2; i++) {
      const next = DateTime.fromObject(
        { year: fields.year, month: fields.month, day: fields.day },
        { zone: "UTC" },
      ).plus({ days: step });
      Object.assign(fields, { year: next.year, month: next.month, day: next.day });
      placed = placeWallClock(fields, zone);
    }
  }
  const notes = [...(zoneHit?.notes ?? [])];
  if (placed.nonexistent) notes.push(placed.nonexistent.note);
  if (placed.ambiguous) {
    const [a, b] = placed.ambiguous;
    notes.push(
      `that time happens twice on that day in ${zone} (the clocks go back): taking the first, ${formatInstant(a, zone)} (${new Date(a).toISOString().slice(11, 16)} UTC); the second is ${formatInstant(b, zone)} (${new Date(b).toISOString().slice(11, 16)} UTC)`,
    );
  }
  const rest = `${text.slice(0, first.index)} ${text.slice(spanEnd)}`.replace(/\s+/g, " ").trim();
  return {
    instant: placed.instant,
    zone,
    explicitZone: !!zoneHit,
    echo: formatInstant(placed.instant, zone),
    ambiguous: placed.ambiguous ? { candidates: placed.ambiguous } : undefined,
    nonexistent: placed.nonexistent,
    notes,
    rest,
  };
}
