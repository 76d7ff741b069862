/** Schedules and meetings that would never fire, or whose templates name unknown placeholders, are config errors. */
import { parseDuration } from "../core/duration.js";
import { type RecurrenceSpec, validateSpec } from "../services/recurrence.js";
import { PLACEHOLDERS, unknownPlaceholders } from "../services/templates.js";
import { isValidZone } from "../core/zone.js";

type Raw = Record<string, unknown>;
const list = (v: unknown): Raw[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === "object") as Raw[]) : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function specOf(e: Raw, startKey: "start" | "at"): RecurrenceSpec | undefined {
  const zone = str(e.zone);
  if (!zone || !isValidZone(zone)) return undefined;
  if (str(e.cron)) return { kind: "cron", expr: str(e.cron)!, zone };
  if (str(e.rrule) && str(e.start)) return { kind: "rrule", rule: str(e.rrule)!, start: str(e.start)!, zone };
  const at = str(e[startKey]);
  return at ? { kind: "at", local: at, zone } : undefined;
}

export function checkSchedules(raw: Raw, now = Date.now()): string[] {
  const out: string[] = [];
  const placeholders = (text: unknown, path: string) => {
    if (typeof text !== "string") return;
    for (const p of unknownPlaceholders(text))
      out.push(`${path}: unknown placeholder ${p} (known: ${PLACEHOLDERS.map((x) => `{${x}}`).join(", ")})`);
  };
  list(raw.schedules).forEach((s, i) => {
    placeholders(s.text, `schedules[${i}].text`);
    const spec = specOf(s, "at");
    const problem = spec && spec.kind !== "at" ? validateSpec(spec, now) : spec ? validateSpec(spec, 0) : undefined;
    if (problem) out.push(`schedules[${i}].${str(s.cron) ? "cron" : str(s.rrule) ? "rrule" : "at"}: ${problem}`);
    if (typeof s.grace === "string" && parseDuration(s.grace) === undefined)
      out.push(`schedules[${i}].grace: not a duration like 10m or 1h`);
  });
  list(raw.meetings).forEach((m, i) => {
    placeholders(m.reminderText, `meetings[${i}].reminderText`);
    const spec = specOf(m, "start");
    const problem = spec ? validateSpec(spec, spec.kind === "rrule" ? now : 0) : undefined;
    if (problem) out.push(`meetings[${i}].${str(m.rrule) ? "rrule" : "start"}: ${problem}`);
    if (Array.isArray(m.reminders)) {
      m.reminders.forEach((r, j) => {
        if (typeof r === "string" && parseDuration(r) === undefined)
          out.push(`meetings[${i}].reminders[${j}]: not a duration like 24h, 1h or 10m`);
      });
    }
  });
  return out;
}
