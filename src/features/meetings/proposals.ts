/**
 * Proposed meeting times, with who can attend and alternatives people add ("add your id if you can attend").
 * People are counted once across their linked identities; `pick` turns the winner into a scheduled meeting.
 */
import { type CommandContext, splitArgs, usageError } from "../../core/commands.js";
import { UserError } from "../../core/errors.js";
import { expandTargets } from "../../core/targets.js";
import { linksOf } from "../../relay/links.js";
import { zonesLine } from "../../services/timezones.js";
import { parseWhen } from "../../services/when.js";
import { formatInstant } from "../../services/world-time.js";
import { DEFAULT_REMINDER_TEXT } from "../schedules.js";
import type { MeetingsState } from "./state.js";
import { shortId } from "./store.js";

const MAX_OPTIONS = 10;

async function readTime(text: string, ctx: CommandContext): Promise<{ at: number; zone: string; notes: string[] }> {
  const w = parseWhen(text, { zone: await ctx.zone(), now: ctx.now(), forward: true });
  if (w.rest) throw new UserError(`I read "${w.echo}" but not "${w.rest.slice(0, 40)}"`);
  if (w.instant <= ctx.now()) throw new UserError(`${w.echo} is in the past`);
  return { at: w.instant, zone: w.zone, notes: w.notes };
}

async function proposal(ctx: CommandContext, id: string) {
  const p = await ctx.app.store.get<{
    id: string;
    title: string;
    picked: number | null;
    account: string;
    room: string;
  }>("SELECT id, title, picked, account, room FROM meeting_proposals WHERE id = ?", [id.toLowerCase()]);
  if (!p) throw new UserError(`no proposed meeting "${id.slice(0, 20)}"`);
  return p;
}

async function isOrganiser(ctx: CommandContext): Promise<boolean> {
  if (await ctx.isAdmin()) return true;
  if (ctx.user.unverified) return false;
  const ids = await ctx.app.identity.identitiesOf(await ctx.app.identity.personId(ctx.user));
  return ids.some((i) => ctx.app.config.commands.organisers.includes(i));
}

export async function meetingCommand(m: MeetingsState, args: string, ctx: CommandContext): Promise<string> {
  const [verb, ...rest] = splitArgs(args);
  const store = ctx.app.store;
  switch ((verb ?? "").toLowerCase()) {
    case "propose": {
      if (!(await isOrganiser(ctx))) throw new UserError("only admins and organisers may propose meetings");
      const [title, ...when] = rest;
      if (!title || !when.length) throw usageError({ usage: '!meeting propose "Devel meeting" 2026-12-02 15:00 UTC' });
      if (title.length > 200) throw new UserError("a meeting title is at most 200 characters");
      const t = await readTime(when.join(" "), ctx);
      const id = shortId();
      const person = await ctx.app.identity.personId(ctx.user);
      await store.tx(async (tx) => {
        await tx.run(
          "INSERT INTO meeting_proposals (id, title, created_by, account, room, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          [id, title, person, ctx.room.account, ctx.room.room, ctx.now()],
        );
        await tx.run("INSERT INTO meeting_options (proposal, n, at, zone) VALUES (?, 1, ?, ?)", [id, t.at, t.zone]);
      });
      return `proposed "${title}" [${id}] option 1: ${formatInstant(t.at, await ctx.zone())} — say !attend ${id} if you can come, or !meeting alt ${id} <time>`;
    }
    case "alt": {
      const [id, ...when] = rest;
      if (!id || !when.length) throw usageError({ usage: "!meeting alt <id> <time>" });
      const p = await proposal(ctx, id);
      if (p.picked) throw new UserError("that meeting's time is already picked");
      const t = await readTime(when.join(" "), ctx);
      const n = await store.tx(async (tx) => {
        const r = await tx.get<{ n: number }>(
          "SELECT COALESCE(MAX(n), 0) AS n FROM meeting_options WHERE proposal = ?",
          [p.id],
        );
        const next = Number(r?.n ?? 0) + 1;
        if (next > MAX_OPTIONS) throw new UserError(`a proposal has at most ${MAX_OPTIONS} options`);
        await tx.run("INSERT INTO meeting_options (proposal, n, at, zone) VALUES (?, ?, ?, ?)", [
          p.id,
          next,
          t.at,
          t.zone,
        ]);
        return next;
      });
      return `option ${n} for "${p.title}": ${formatInstant(t.at, await ctx.zone())}`;
    }
    case "show": {
      const p = await proposal(ctx, rest[0] ?? "");
      return showProposal(ctx, p.id, p.title, p.picked);
    }
    case "pick": {
      const [id, opt] = rest;
      if (!(await isOrganiser(ctx))) throw new UserError("only admins and organisers may pick the time");
      const p = await proposal(ctx, id ?? "");
      const n = Number(opt);
      const o = await store.get<{ at: number; zone: string }>(
        "SELECT at, zone FROM meeting_options WHERE proposal = ? AND n = ?",
        [p.id, n],
      );
      if (!o) throw new UserError(`"${p.title}" has no option ${opt ?? ""}`);
      await store.run("UPDATE meeting_proposals SET picked = ? WHERE id = ?", [n, p.id]);
      const { scheduler } = m.schedules;
      const room = { account: p.account, room: p.room };
      const links = linksOf(ctx.app.config.links, room).map((l) => l.name);
      const targets = links.length ? expandTargets(ctx.app.config, links) : [room];
      for (const [offset, ms] of [
        ["24h", 86_400_000],
        ["1h", 3_600_000],
        ["10m", 600_000],
      ] as const) {
        if (Number(o.at) - ms <= ctx.now()) continue;
        await scheduler.upsert({
          id: `meeting:${p.id}:${offset}`,
          kind: "meeting-reminder",
          spec: { kind: "instant", at: Number(o.at) },
          offsetMs: ms,
          text: DEFAULT_REMINDER_TEXT,
          targets,
          graceMs: 600_000,
          source: "meeting",
          meta: { title: p.title, meeting: p.id },
        });
      }
      return `"${p.title}" is on ${formatInstant(Number(o.at), await ctx.zone())} — ${zonesLine(Number(o.at), ctx.app.config.timezones.world)}; reminders a day, an hour and ten minutes before`;
    }
    default:
      throw usageError({ usage: '!meeting propose "title" <time> | alt <id> <time> | show <id> | pick <id> <option>' });
  }
}

async function showProposal(ctx: CommandContext, id: string, title: string, picked: number | null): Promise<string> {
  const zone = await ctx.zone();
  const options = await ctx.app.store.all<{ n: number; at: number }>(
    "SELECT n, at FROM meeting_options WHERE proposal = ? ORDER BY n",
    [id],
  );
  const people = await ctx.app.store.all<{ n: number; name: string }>(
    "SELECT n, name FROM meeting_attendance WHERE proposal = ? ORDER BY name",
    [id],
  );
  const parts = options.map((o) => {
    const names = people.filter((p) => p.n === o.n).map((p) => p.name);
    return `${Number(o.n) === picked ? "✔ " : ""}${o.n}) ${formatInstant(Number(o.at), zone)}: ${names.length ? `${names.length} — ${names.join(", ")}` : "nobody yet"}`;
  });
  return `"${title}" [${id}]: ${parts.join(" · ")}`;
}

export async function attendCommand(args: string, ctx: CommandContext, attending: boolean): Promise<string> {
  const [id, opt] = splitArgs(args);
  if (!id) throw usageError({ usage: `!${attending ? "attend" : "unattend"} <id> [option]` });
  const p = await proposal(ctx, id);
  const n = opt ? Number(opt) : 1;
  const exists = await ctx.app.store.get("SELECT 1 AS x FROM meeting_options WHERE proposal = ? AND n = ?", [p.id, n]);
  if (!exists) throw new UserError(`"${p.title}" has no option ${opt}`);
  const person = await ctx.app.identity.personId(ctx.user);
  if (attending) {
    await ctx.app.store.run(
      "INSERT INTO meeting_attendance (proposal, n, person, name) VALUES (?, ?, ?, ?) ON CONFLICT (proposal, n, person) DO UPDATE SET name = excluded.name",
      [p.id, n, person, ctx.user.name.slice(0, 80)],
    );
  } else {
    await ctx.app.store.run("DELETE FROM meeting_attendance WHERE proposal = ? AND n = ? AND person = ?", [
      p.id,
      n,
      person,
    ]);
  }
  return showProposal(ctx, p.id, p.title, p.picked);
}
