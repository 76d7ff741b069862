import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Command } from "commander";
import { DateTime } from "luxon";
import { resolveStateDir } from "../app.js";
import { configAnnouncements } from "../features/announcements.js";
import { configMeetingReminders } from "../features/meetings/reminders.js";
import { REMINDER, reminderText } from "../features/remind.js";
import { occurrencesOf, type ScheduleInput, Scheduler } from "../services/scheduler.js";
import { renderTemplate } from "../services/templates.js";
import { SqliteStore } from "../store/sqlite.js";
import { configOption, fail, readConfig } from "./common.js";

interface ScheduleOpts {
  config: string;
  stateDir?: string;
  from?: string;
  until?: string;
  json?: boolean;
}

function instant(iso: string | undefined, fallback: number, name: string): number {
  if (!iso) return fallback;
  const dt = DateTime.fromISO(iso, { zone: "UTC" });
  if (!dt.isValid) throw new Error(`--${name} "${iso}" is not an ISO date-time`);
  return dt.toMillis();
}

/** `crier schedule`: every occurrence in a window, computed by the same code that fires them. */
export function registerSchedule(program: Command): void {
  program
    .command("schedule")
    .description("list every announcement, meeting reminder and stored reminder due in a window")
    .option(...configOption())
    .option("--state-dir <dir>", "state directory (for reminders people set in chat)")
    .option("--from <iso>", "window start (default now)")
    .option("--until <iso>", "window end (default 7 days after the start)")
    .option("--json", "one JSON object per line")
    .action(async (opts: ScheduleOpts) => {
      try {
        const config = readConfig(opts.config);
        const from = instant(opts.from, Date.now(), "from");
        const until = instant(opts.until, from + 7 * 86_400_000, "until");
        const schedules: ScheduleInput[] = [
          ...configAnnouncements(config, Date.now()),
          ...configMeetingReminders(config),
        ];
        const dbFile = join(resolveStateDir(opts.stateDir, config), config.store.file);
        if (config.store.kind === "sqlite" && !isAbsolute(config.store.file) && existsSync(dbFile)) {
          const store = new SqliteStore(dbFile);
          try {
            schedules.push(...(await Scheduler.stored(store)));
          } catch {
            // A database from before schedules existed has no reminders to list.
          } finally {
            await store.close();
          }
        }
        for (const o of occurrencesOf(schedules, from - 1, until)) {
          const text =
            o.kind === REMINDER
              ? reminderText(o)
              : renderTemplate(o.text, {
                  instant: o.about,
                  now: o.at,
                  worldZones: config.timezones.world,
                  localTimeMarkers: false,
                  title: o.meta.title,
                  place: o.meta.place,
                });
          const row = {
            id: o.id.replace(/^config:/, ""),
            kind: o.kind,
            at: new Date(o.at).toISOString().replace(".000Z", "Z"),
            local: DateTime.fromMillis(o.at, { zone: o.zone }).toFormat("yyyy-LL-dd'T'HH:mm:ss"),
            zone: o.zone,
            to: o.targets.map((t) => `${t.account}/${t.room}`),
            text,
          };
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(row)}\n`
              : `${row.at}  ${row.local} ${row.zone}  ${row.id}  → ${row.to.join(", ")}: ${row.text}\n`,
          );
        }
      } catch (err) {
        fail(err);
      }
    });
}
