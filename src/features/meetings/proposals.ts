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
import { DEFAULT_REMINDER_TEXT } from "./reminders.js";
import type { MeetingsState } from "./state.js";
import { shortId } from "./store.js";

const MAX_OPTIONS = 10;
export const MEETING_USAGE =
  '!meeting propose "title" <time> [place: <where>] | alt <id> <time> | show [id] | place <id> <where> | pick <id> <option>';

async function readTime(text: string, ctx: CommandContext): Promise<{ at: number; zone: string; notes: string[] }> {
  const w = parseWhen(text, { zone: await ctx.zone(), now: ctx.now(), forward: true });
  if (w.rest) throw new UserError(`I read "${w.echo}" but not "${w.rest.slice(0, 40)}"`);
  if (w.instant <= ctx.now()) throw new UserError(`${w.echo} is in the past`);
  return { at: w.instant, zone: w.zone, notes: w.notes };
}

interface ProposalRow {
  id: string;
  title: string;
  picked: number | null;
  account: string;
  room: string;
  place: string | null;
}

async function proposal(ctx: CommandContext, id: string): Promise<ProposalRow> {
  const p = await ctx.app.store.get<ProposalRow>(
    "SELECT id, title, picked, account, room, place FROM meeting_proposals WHERE id = ?",
    [id.toLowerCase()],
  );
  if (!p) throw new UserError(`no proposed meeting "${id.slice(0, 20)}"`);
  return p;
}

/** The newest proposal made in this room whose time is not picked yet: what `!attend` alone means. */
async function openProposalHere(ctx: CommandContext): Promise<ProposalRow> {
  const p = await ctx.app.store.get<ProposalRow>(
    "SELECT id, title, picked, account, room, place FROM meeting_proposals WHERE account = ? AND room = ? AND picked IS NULL ORDER BY created_at DESC LIMIT 1",
    [ctx.room.account, ctx.room.room],
  );
  if (!p) throw new UserError("no meeting is being proposed here; give its id, e.g. !attend k3x9p");
  return p;
}

/** Where a meeting proposed in a room takes place unless said otherwise: that room, on its account. */
const placeOf = (room: { account: string; room: string }) => `${room.room} (${room.account})`;

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
      if (!title || !when.length)
        throw usageError({ usage: '!meeting propose "Devel meeting" 2026-12-02 15:00 UTC [place: #kamailio-dev]' });
      const placeAt = when.findIndex((w) => /^place:/i.test(w));
      const place =
        placeAt >= 0
          ? [when[placeAt].slice(6), ...when.slice(placeAt + 1)].join(" ").trim().slice(0, 200)
          : placeOf(ctx.room);
      if (placeAt >= 0) when.splice(placeAt);
      if (!place) throw new UserError("place: needs the place, e.g. place: #kamailio-dev");
      if (title.length > 200) throw new UserError("a meeting title is at most 200 characters");
      const t = await readTime(when.join(" "), ctx);
      const id = shortId();
      const person = await ctx.app.identity.personId(ctx.user);
      await store.tx(async (tx) => {
        await tx.run(
          "INSERT INTO meeting_proposals (id, title, created_by, account, room, created_at, place) VALUES (?, ?, ?, ?, ?, ?, ?)",
          [id, title, person, ctx.room.account, ctx.room.room, ctx.now(), place],
        );
        await tx.run("INSERT INTO meeting_options (proposal, n, at, zone) VALUES (?, 1, ?, ?)", [id, t.at, t.zone]);
      });
      return `proposed "${title}" [${id}] in ${place}, option 1: ${formatInstant(t.at, await ctx.zone())} — say !attend ${id} if you can come, or !meeting alt ${id} <time>`;
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
      const p = rest[0] ? await proposal(ctx, rest[0]) : await openProposalHere(ctx);
      return showProposal(ctx, p, true);
    }
    case "place": {
      const [id, ...words] = rest;
      if (!(await isOrganiser(ctx))) throw new UserError("only admins and organisers may change the place");
      const place = words.join(" ").trim().slice(0, 200);
      if (!id || !place) throw usageError({ usage: "!meeting place <id> <where, e.g. #kamailio-dev>" });
      const p = await proposal(ctx, id);
      await store.run("UPDATE meeting_proposals SET place = ? WHERE id = ?", [place, p.id]);
      return `"${p.title}" takes place in ${place}`;
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
      const room = { account: p.account, room: p.room };
      const links = linksOf(ctx.app.config.links, room).map((l) => l.name);
      const targets = links.length ? expandTargets(ctx.app.config, links) : [room];
      for (const [offset, ms] of [
        ["24h", 86_400_000],
        ["1h", 3_600_000],
        ["10m", 600_000],
      ] as const) {
        if (Number(o.at) - ms <= ctx.now()) continue;
        await m.reminders.upsert({
          id: `meeting:${p.id}:${offset}`,
          spec: { kind: "instant", at: Number(o.at) },
          offsetMs: ms,
          text: DEFAULT_REMINDER_TEXT,
          targets,
          graceMs: 600_000,
          source: "meeting",
          meta: { title: p.title, meeting: p.id, place: p.place ?? undefined },
        });
      }
      return `"${p.title}" is on ${formatInstant(Number(o.at), await ctx.zone())}${p.place ? ` in ${p.place}` : ""} — ${zonesLine(Number(o.at), ctx.app.config.timezones.world)}; reminders a day, an hour and ten minutes before`;
    }
    default:
      throw usageError({ usage: MEETING_USAGE });
  }
}

/**
 * `"Devel meeting" [k3x9p] in #dev (irc): 1) Wed 2 Dec 2026 15:00 UTC: 2 — ann, bob · 2) … — across the world
 * (option 1): 15:00 UTC · 16:00 Berlin (CET) · 10:00 New York (EST)`: the world line is for the picked option, or
 * the one most people can attend.
 */
async function showProposal(ctx: CommandContext, p: ProposalRow, world = false): Promise<string> {
  const zone = await ctx.zone();
  const options = await ctx.app.store.all<{ n: number; at: number }>(
    "SELECT n, at FROM meeting_options WHERE proposal = ? ORDER BY n",
    [p.id],
  );
  const people = await ctx.app.store.all<{ n: number; name: string }>(
    "SELECT n, name FROM meeting_attendance WHERE proposal = ? ORDER BY name",
    [p.id],
  );
  const count = (n: number) => people.filter((x) => Number(x.n) === Number(n)).length;
  const parts = options.map((o) => {
    const names = people.filter((x) => Number(x.n) === Number(o.n)).map((x) => x.name);
    return `${Number(o.n) === p.picked ? "✔ " : ""}${o.n}) ${formatInstant(Number(o.at), zone)}: ${names.length ? `${names.length} — ${names.join(", ")}` : "nobody yet"}`;
  });
  const lead =
    options.find((o) => Number(o.n) === p.picked) ??
    [...options].sort((a, b) => count(b.n) - count(a.n) || Number(a.n) - Number(b.n))[0];
  const across =
    world && lead
      ? ` — across the world (option ${lead.n}): ${zonesLine(Number(lead.at), ctx.app.config.timezones.world)}`
      : "";
  return `"${p.title}" [${p.id}]${p.place ? ` in ${p.place}` : ""}: ${parts.join(" · ")}${across}`;
}

export async function attendCommand(args: string, ctx: CommandContext, attending: boolean): Promise<string> {
  const [id, opt] = splitArgs(args);
  // `!attend` alone, or `!attend 2`, is about the proposal being made in this room.
  const p = id && !/^\d+$/.test(id) ? await proposal(ctx, id) : await openProposalHere(ctx);
  const optArg = id && /^\d+$/.test(id) ? id : opt;
  if (p.picked)
    throw new UserError(
      `"${p.title}" is already set for option ${p.picked}; attendance is closed (!meeting show ${p.id} has the time)`,
    );
  const n = optArg ? Number(optArg) : 1;
  const exists = await ctx.app.store.get("SELECT 1 AS x FROM meeting_options WHERE proposal = ? AND n = ?", [p.id, n]);
  if (!exists) throw new UserError(`"${p.title}" has no option ${optArg}`);
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
  return showProposal(ctx, p);
}
