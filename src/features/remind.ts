/**
 * Reminders people ask for in chat: one-off ("in 2h", "at 15:00", "tomorrow 9am", "2026-12-01 10:00
 * Europe/Berlin") or weekly/daily in a room ("here every monday 9:00"). Read in the asker's zone, echoed back,
 * delivered where asked and addressed to the person; always delivered, late if crier was offline.
 */
import { randomInt } from "node:crypto";
import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import type { UserRef } from "../core/model.js";
import type { RichText } from "../core/richtext.js";
import type { RecurrenceSpec } from "../services/recurrence.js";
import type { Firing, ScheduledMessage } from "../services/scheduler.js";
import { countdown } from "../services/templates.js";
import { parseWhen } from "../services/when.js";
import { formatInstant } from "../services/world-time.js";
import type { ScheduleBook, Schedules } from "./schedules.js";

export const REMINDER = "reminder";
const MAX_PENDING = 25;
const MAX_AHEAD_MS = 5 * 366 * 86_400_000;
const MAX_TEXT = 500;
const DAYS: Record<string, string> = {
  day: "*",
  weekday: "1-5",
  weekend: "0,6",
  monday: "1",
  tuesday: "2",
  wednesday: "3",
  thursday: "4",
  friday: "5",
  saturday: "6",
  sunday: "0",
};

export type RemindArgs =
  | { verb: "add"; to: "me" | "here"; what: string }
  | { verb: "cancel"; id: string }
  | { verb: "snooze"; id: string; ms: number };

export function parseRemind(args: string): RemindArgs {
  const m = /^(me|here|cancel|snooze)\s+([\s\S]+)$/i.exec(args.trim());
  if (!m)
    throw new UserError(
      "Usage: !remind me in 2h <text> | !remind me at 15:00 <text> | !remind here every monday 9:00 <text> | !remind cancel <id> | !remind snooze <id> 10m",
    );
  const verb = m[1].toLowerCase();
  const rest = m[2].trim();
  if (verb === "cancel") return { verb: "cancel", id: rest.split(/\s+/)[0].toLowerCase() };
  if (verb === "snooze") {
    const [id, dur = "10m"] = rest.split(/\s+/);
    const ms = parseDuration(dur);
    if (!ms || ms < 60_000 || ms > 30 * 86_400_000)
      throw new UserError("snooze for a duration like 10m, 2h or 1d (1 minute to 30 days)");
    return { verb: "snooze", id: id.toLowerCase(), ms };
  }
  if (rest.length > MAX_TEXT + 100) throw new UserError(`a reminder is at most ${MAX_TEXT} characters`);
  return { verb: "add", to: verb as "me" | "here", what: rest };
}

/** `every monday 9:00 standup` → a weekly cron in the asker's zone. */
function parseEvery(what: string, zone: string): { spec: RecurrenceSpec; text: string; every: string } | undefined {
  const m =
    /^every\s+(day|weekday|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s+([\s\S]+)$/i.exec(
      what,
    );
  if (!m) {
    if (/^every\b/i.test(what))
      throw new UserError(
        "repeat at most daily: every day|weekday|weekend|monday…sunday <time> <text>, e.g. every monday 9:00 standup",
      );
    return undefined;
  }
  let hour = Number(m[2]);
  const minute = Number(m[3] ?? 0);
  if (m[4]) hour = (hour % 12) + (m[4].toLowerCase() === "pm" ? 12 : 0);
  if (hour > 23 || minute > 59) throw new UserError("that is not a time of day");
  const day = m[1].toLowerCase();
  return {
    spec: { kind: "cron", expr: `${minute} ${hour} * * ${DAYS[day]}`, zone },
    text: m[5].trim(),
    every: `every ${day} ${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")} ${zone}`,
  };
}

/** How a reminder reads: "reminder: …" when addressed to the person who asked, their bare text in a room. */
export function reminderText(s: { text: string; mention?: UserRef }): string {
  return s.mention ? `reminder: ${s.text}` : s.text;
}

/** A reminder's message in its room, addressed to the person who asked where they are on that platform. */
export function renderReminder({ schedule: s, late }: Firing): ScheduledMessage[] {
  return s.targets.map((room) => {
    const body: RichText = [];
    const allowedMentions: string[] = [];
    if (s.mention && s.mention.account === room.account) {
      body.push({ t: "mention", name: s.mention.name, user: s.mention }, { t: "text", text: ": " });
      allowedMentions.push(s.mention.id);
    }
    body.push({ t: "text", text: `${reminderText(s)}${late ? " (late — crier was offline)" : ""}` });
    return { room, body, allowedMentions: allowedMentions.length ? allowedMentions : undefined };
  });
}

function newId(): string {
  const a = "abcdefghjkmnpqrstuvwxyz23456789";
  let s = "";
  for (let i = 0; i < 6; i++) s += a[randomInt(a.length)];
  return s;
}

async function remind(reminders: ScheduleBook, args: RemindArgs, ctx: CommandContext): Promise<string> {
  const person = await ctx.app.identity.personId(ctx.user);
  const now = ctx.now();
  const zone = await ctx.zone();
  if (args.verb === "cancel" || args.verb === "snooze") {
    const s = await reminders.get(`reminder:${args.id}`);
    if (!s || (s.owner !== person && !(await ctx.isAdmin()))) throw new UserError(`you have no reminder ${args.id}`);
    if (args.verb === "cancel") {
      await reminders.cancel(s.id);
      return `reminder ${args.id} cancelled`;
    }
    const at = now + args.ms;
    await reminders.moveTo(s.id, at);
    return `reminder ${args.id} snoozed until ${formatInstant(at, zone)}`;
  }
  if ((await reminders.countActive(person)) >= MAX_PENDING)
    throw new UserError(`you have ${MAX_PENDING} pending reminders already; cancel some first (!reminders)`);
  const every = parseEvery(args.what, zone);
  let spec: RecurrenceSpec;
  let text: string;
  let echo: string;
  let notes: string[] = [];
  if (every) {
    spec = every.spec;
    text = every.text;
    echo = every.every;
  } else {
    const when = parseWhen(args.what, { zone, now, forward: true });
    if (when.instant <= now) throw new UserError(`${when.echo} is in the past`);
    if (when.instant > now + MAX_AHEAD_MS) throw new UserError("I keep reminders for at most five years ahead");
    spec = { kind: "instant", at: when.instant };
    text = when.rest.replace(/^(to|that)\s+/i, "");
    echo = `${when.echo} (${countdown(when.instant, now)})`;
    notes = when.notes;
  }
  if (!text) throw new UserError("what should I remind you of? e.g. !remind me in 2h check the build");
  if (text.length > MAX_TEXT) throw new UserError(`a reminder is at most ${MAX_TEXT} characters`);
  const id = newId();
  // The person's words only: how a reminder reads is decided as it is sent (renderReminder).
  await reminders.upsert({
    id: `reminder:${id}`,
    spec,
    text,
    targets: [ctx.room],
    owner: person,
    mention: args.to === "me" ? ctx.user : undefined,
    graceMs: 0,
    source: "chat",
    meta: { zone, every: every?.every },
  });
  return `ok, ${echo}: ${text} [id ${id}]${notes.length ? ` (${notes.join("; ")})` : ""}`;
}

/** Needs the schedules feature: reminders are schedules of kind "reminder", always delivered, late if need be. */
export function remindFeature(schedules: Schedules): Feature {
  const reminders = schedules.register(REMINDER, { render: renderReminder, deliverLate: true });
  return {
    name: "remind",
    commands: [
      {
        name: "remind",
        summary: "set a reminder for yourself or the room",
        usage:
          "!remind me in 2h <text> | me at 15:00 <text> | me tomorrow 9am <text> | here every monday 9:00 <text> | cancel <id> | snooze <id> 10m",
        examples: [
          {
            input: "!remind me in 2h check the build",
            expect: /ok, .* \(in 2 hours\): check the build \[id [a-z0-9]{6}\]/,
          },
          {
            input: "!remind me 2099-12-01 10:00 Europe/Berlin renew the certificate",
            expect: "at most five years ahead",
          },
          { input: "!remind me 2020-01-01 10:00 UTC too late", expect: "is in the past" },
          { input: "!remind here every monday 9:00 standup", expect: "every monday 09:00" },
          { input: "!remind me every 1 second spam", expect: "repeat at most daily" },
          { input: "!remind cancel nosuch", expect: "you have no reminder nosuch" },
        ],
        permission: "anyone",
        parse: parseRemind,
        run: (args: RemindArgs, ctx: CommandContext) => remind(reminders, args, ctx),
      },
      {
        name: "reminders",
        summary: "list your pending reminders",
        usage: "!reminders",
        examples: [{ input: "!reminders", expect: /[a-z0-9]{6} .* — check the build/ }],
        permission: "anyone",
        privateReply: true,
        async run(_args: string, ctx: CommandContext) {
          const mine = await reminders.list(await ctx.app.identity.personId(ctx.user));
          if (!mine.length) return "you have no pending reminders";
          const zone = await ctx.zone();
          return mine
            .slice(0, 25)
            .map(
              (r) =>
                `${r.id.replace(/^reminder:/, "")} ${r.nextAt ? formatInstant(r.nextAt, zone) : "?"}${r.meta?.every ? ` (${r.meta.every})` : ""} — ${r.text}`,
            )
            .join(" · ");
        },
      },
    ],
  };
}
