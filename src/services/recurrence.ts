/**
 * Recurrence by the calendar in a schedule's IANA zone. croner (cron) and rrule (RRULE) only match wall-clock
 * calendar patterns — they run here on a "floating" clock (UTC fields standing for local wall time) — and every
 * match is placed in the zone with luxon by one rule (RFC 5545 §3.3.5): a time in a spring-forward gap takes the
 * offset before the gap (02:30 → 03:30 new time), a time that occurs twice is the first occurrence. A recurring
 * schedule therefore fires exactly once per matching wall-clock time: a daily job once a day, an hourly job once per
 * wall-clock hour (23 times on the day the clocks go back, as the repeated hour is one wall-clock hour).
 */
import { Cron } from "croner";
import { DateTime } from "luxon";
import rrulePkg from "rrule";
import type { MeetingConfig } from "../config/sections/meetings.js";
import { UserError } from "../core/errors.js";
import { placeWallClock } from "./when.js";

const { rrulestr } = rrulePkg;

export type RecurrenceSpec =
  | { kind: "cron"; expr: string; zone: string }
  | { kind: "rrule"; rule: string; start: string; zone: string }
  | { kind: "at"; local: string; zone: string }
  | { kind: "instant"; at: number };

/** Local wall-clock → floating millis (UTC fields = wall-clock fields). */
function floating(ms: number, zone: string): number {
  const dt = DateTime.fromMillis(ms, { zone });
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second);
}

function place(floatingMs: number, zone: string): number {
  const f = new Date(floatingMs);
  return placeWallClock(
    {
      year: f.getUTCFullYear(),
      month: f.getUTCMonth() + 1,
      day: f.getUTCDate(),
      hour: f.getUTCHours(),
      minute: f.getUTCMinutes(),
      second: f.getUTCSeconds(),
    },
    zone,
  ).instant;
}

export function parseLocal(local: string, zone: string): number {
  const dt = DateTime.fromISO(local, { zone: "UTC" });
  if (!dt.isValid) throw new UserError(`"${local}" is not a local date-time like 2026-12-01T10:00`);
  return place(dt.toMillis(), zone);
}

const cronCache = new Map<string, Cron>();
function cron(expr: string): Cron {
  let c = cronCache.get(expr);
  if (!c) {
    try {
      c = new Cron(expr, { timezone: "UTC", paused: true, legacyMode: true });
    } catch (err) {
      throw new UserError(`bad cron expression "${expr}": ${(err as Error).message}`);
    }
    if (cronCache.size > 1000) cronCache.clear();
    cronCache.set(expr, c);
  }
  return c;
}

const RULE_PARTS: Record<string, RegExp> = {
  FREQ: /^(YEARLY|MONTHLY|WEEKLY|DAILY|HOURLY|MINUTELY|SECONDLY)$/,
  INTERVAL: /^\d{1,4}$/,
  COUNT: /^\d{1,6}$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/,
  WKST: /^(MO|TU|WE|TH|FR|SA|SU)$/,
  BYDAY: /^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)(,[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU))*$/,
};
const NUMBER_LIST = /^[+-]?\d{1,3}(,[+-]?\d{1,3})*$/;
const NUMBER_PARTS = ["BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS"];

/**
 * What is wrong with an RRULE body, in words, or undefined. The rrule package answers some mistakes with a
 * TypeError ("Cannot read properties of undefined (reading 'n')" for BYDAY=XX), so each part is checked first.
 */
export function ruleProblem(body: string): string | undefined {
  const parts = body.split(";").filter(Boolean);
  if (parts.length > 20) return "too many parts";
  const seen = new Set<string>();
  for (const part of parts) {
    const [rawKey, rawValue = ""] = part.split("=", 2).map((x) => x.trim());
    const key = rawKey.toUpperCase();
    const value = rawValue.toUpperCase();
    if (seen.has(key)) return `${key} is given twice`;
    seen.add(key);
    const shape = RULE_PARTS[key] ?? (NUMBER_PARTS.includes(key) ? NUMBER_LIST : undefined);
    if (!shape)
      return `unknown part "${key.slice(0, 20)}" (known: ${[...Object.keys(RULE_PARTS), ...NUMBER_PARTS].join(", ")})`;
    if (!shape.test(value)) {
      const hint =
        key === "BYDAY"
          ? "weekdays MO TU WE TH FR SA SU, optionally numbered (1MO, -1FR), comma-separated"
          : key === "FREQ"
            ? "YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY"
            : NUMBER_PARTS.includes(key)
              ? "comma-separated numbers"
              : key === "UNTIL"
                ? "a date like 20271231 or 20271231T000000Z"
                : "a number";
      return `${key}=${rawValue.slice(0, 30)} is not valid: ${key} takes ${hint}`;
    }
  }
  if (!seen.has("FREQ")) return "FREQ is missing (e.g. FREQ=WEEKLY;BYDAY=WE)";
  return undefined;
}

const ruleCache = new Map<string, ReturnType<typeof rrulestr>>();
function rule(text: string, start: string) {
  const key = `${start}|${text}`;
  let r = ruleCache.get(key);
  if (!r) {
    const dt = DateTime.fromISO(start, { zone: "UTC" });
    if (!dt.isValid) throw new UserError(`rrule start "${start}" is not a local date-time like 2026-01-07T16:00`);
    const body = text.replace(/^RRULE:/i, "");
    if (/[\r\n]/.test(body) || /DTSTART|TZID/i.test(body))
      throw new UserError("give the rule without DTSTART/TZID; use start and zone instead");
    const problem = ruleProblem(body);
    if (problem) throw new UserError(`bad rrule "${text}": ${problem}`);
    try {
      r = rrulestr(`DTSTART:${dt.toFormat("yyyyLLdd'T'HHmmss")}Z\nRRULE:${body}`);
    } catch (err) {
      throw new UserError(`bad rrule "${text}": ${(err as Error).message}`);
    }
    if (ruleCache.size > 1000) ruleCache.clear();
    ruleCache.set(key, r);
  }
  return r;
}

/** The next floating match strictly after a floating time. */
function nextFloating(spec: RecurrenceSpec, afterFloating: number): number | undefined {
  if (spec.kind === "cron") return cron(spec.expr).nextRun(new Date(afterFloating))?.getTime();
  if (spec.kind === "rrule") return rule(spec.rule, spec.start).after(new Date(afterFloating), false)?.getTime();
  return undefined;
}

/** The first occurrence strictly after `after` (UTC ms), or undefined when there is none. */
export function nextAfter(spec: RecurrenceSpec, after: number): number | undefined {
  if (spec.kind === "instant") return spec.at > after ? spec.at : undefined;
  if (spec.kind === "at") {
    const at = parseLocal(spec.local, spec.zone);
    return at > after ? at : undefined;
  }
  // Start an hour early on the floating clock so a match whose placement lands after `after` is not missed
  // (around DST changes the floating and real clocks disagree by up to the change).
  let f = floating(after, spec.zone) - 3 * 3_600_000;
  for (let i = 0; i < 10_000; i++) {
    const next = nextFloating(spec, f);
    if (next === undefined) return undefined;
    const instant = place(next, spec.zone);
    if (instant > after) return instant;
    f = next;
  }
  return undefined;
}

/** Every occurrence in (from, until], at most `limit`. */
export function occurrencesBetween(spec: RecurrenceSpec, from: number, until: number, limit = 10_000): number[] {
  const out: number[] = [];
  let t = from;
  while (out.length < limit) {
    const n = nextAfter(spec, t);
    if (n === undefined || n > until) break;
    out.push(n);
    t = n;
  }
  return out;
}

/** Checks a spec once, for config validation: it must parse and fire at least once within ten years. */
export function validateSpec(spec: RecurrenceSpec, now: number): string | undefined {
  try {
    const next = nextAfter(spec, spec.kind === "at" || spec.kind === "instant" ? 0 : now);
    if (next === undefined || (spec.kind !== "at" && spec.kind !== "instant" && next > now + 10 * 366 * 86_400_000)) {
      return "never fires (no matching date in the next ten years)";
    }
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** A configured meeting's recurrence (its start, weekly or as its RRULE says, in its zone). */
export function meetingSpec(m: MeetingConfig): RecurrenceSpec {
  return m.rrule
    ? { kind: "rrule", rule: m.rrule, start: m.start, zone: m.zone }
    : { kind: "at", local: m.start, zone: m.zone };
}
