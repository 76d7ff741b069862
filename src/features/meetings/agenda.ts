/**
 * Agendas with owners, per meeting (a configured meeting id or a proposal id). Items are kept in memory as well as
 * in the store so announcements can put `{agenda}` in a template without a query.
 */
import { type CommandContext, splitArgs, usageError } from "../../core/commands.js";
import type { AppContext } from "../../core/context.js";
import { UserError } from "../../core/errors.js";
import type { MeetingsState } from "./state.js";

export interface AgendaItem {
  text: string;
  ownerName?: string;
  ownerPerson?: string;
}

const MAX_ITEMS = 50;
export const AGENDA_USAGE =
  "!agenda add [meeting] <text> [(owner)] | list [meeting] | remove [meeting] <n> | move [meeting] <from> <to> — the meeting is the one proposed here unless named";

export function agendaItems(m: MeetingsState, meeting: string): AgendaItem[] {
  return m.agendas.get(meeting) ?? [];
}

export function agendaText(m: MeetingsState, meeting: string): string {
  const items = agendaItems(m, meeting);
  return items.map((it, i) => `${i + 1}. ${it.text}${it.ownerName ? ` (${it.ownerName})` : ""}`).join("; ");
}

async function save(
  app: AppContext,
  m: MeetingsState,
  meeting: string,
  items: AgendaItem[],
  by: string,
): Promise<void> {
  await app.store.tx(async (tx) => {
    await tx.run("DELETE FROM agenda_items WHERE meeting = ?", [meeting]);
    for (const [i, it] of items.entries()) {
      await tx.run(
        "INSERT INTO agenda_items (meeting, pos, text, owner_person, owner_name, added_by) VALUES (?, ?, ?, ?, ?, ?)",
        [meeting, i, it.text, it.ownerPerson ?? null, it.ownerName ?? null, by],
      );
    }
  });
  m.agendas.set(meeting, items);
}

/** Loads every agenda, seeding configured meetings' agendas the first time. */
export async function loadAgendas(app: AppContext, state: MeetingsState): Promise<void> {
  const rows = await app.store.all<{
    meeting: string;
    text: string;
    owner_person: string | null;
    owner_name: string | null;
  }>("SELECT meeting, text, owner_person, owner_name FROM agenda_items ORDER BY meeting, pos");
  const c = state.agendas;
  for (const r of rows) {
    const list = c.get(r.meeting) ?? [];
    list.push({ text: r.text, ownerPerson: r.owner_person ?? undefined, ownerName: r.owner_name ?? undefined });
    c.set(r.meeting, list);
  }
  for (const m of app.config.meetings) {
    if (!c.has(m.id) && m.agenda.length)
      await save(
        app,
        state,
        m.id,
        m.agenda.map((a) => ({ text: a.text, ownerName: a.owner })),
        "config",
      );
  }
}

async function meetingExists(ctx: CommandContext, id: string): Promise<boolean> {
  if (ctx.app.config.meetings.some((m) => m.id === id)) return true;
  return !!(await ctx.app.store.get("SELECT 1 AS x FROM meeting_proposals WHERE id = ?", [id.toLowerCase()]));
}

/** The meeting `!agenda` means when none is named: the only configured one, else the newest proposal made here. */
async function meetingHere(ctx: CommandContext): Promise<string | undefined> {
  if (ctx.app.config.meetings.length === 1) return ctx.app.config.meetings[0].id;
  const p = await ctx.app.store.get<{ id: string }>(
    "SELECT id FROM meeting_proposals WHERE account = ? AND room = ? ORDER BY created_at DESC LIMIT 1",
    [ctx.room.account, ctx.room.room],
  );
  return p?.id;
}

export async function agendaCommand(state: MeetingsState, args: string, ctx: CommandContext): Promise<string> {
  const [verb, first, ...others] = splitArgs(args);
  if (!verb) throw usageError({ usage: AGENDA_USAGE });
  // `!agenda add devel Release plan` names its meeting; `!agenda add Release plan` is about the meeting here.
  const named = first !== undefined && (await meetingExists(ctx, first.toLowerCase()));
  const here = named ? undefined : await meetingHere(ctx);
  const meeting = (named ? first : (here ?? "")).toLowerCase();
  const rest = named || first === undefined ? others : [first, ...others];
  if (!meeting)
    throw new UserError(
      first
        ? `no meeting "${first.slice(0, 30)}"`
        : "which meeting? name it (!agenda list devel) or propose one here first",
    );
  const items = [...agendaItems(state, meeting)];
  const by = await ctx.app.identity.personId(ctx.user);
  switch (verb.toLowerCase()) {
    case "list":
      return items.length ? `agenda of ${meeting}: ${agendaText(state, meeting)}` : `the agenda of ${meeting} is empty`;
    case "add": {
      const raw = rest.join(" ").trim();
      const m = /^([\s\S]*?)\s*\(([^()]{1,60})\)\s*$/.exec(raw);
      const text = (m ? m[1] : raw).trim();
      if (!text) throw new UserError("what is the agenda item?");
      if (text.length > 300) throw new UserError("an agenda item is at most 300 characters");
      if (items.length >= MAX_ITEMS) throw new UserError(`an agenda has at most ${MAX_ITEMS} items`);
      let ownerName = m?.[2].trim();
      let ownerPerson: string | undefined;
      if (ownerName) {
        const [who] = await state.seen.find(ownerName, ctx.room.account);
        if (who) {
          ownerPerson = await ctx.app.identity.personId(who);
          ownerName = who.name;
        }
      }
      items.push({ text, ownerName, ownerPerson });
      await save(ctx.app, state, meeting, items, by);
      return `added as item ${items.length} of ${meeting}`;
    }
    case "remove": {
      const n = Number(rest[0]);
      if (!Number.isInteger(n) || n < 1 || n > items.length)
        throw new UserError(`${meeting} has items 1 to ${items.length}`);
      const [gone] = items.splice(n - 1, 1);
      await save(ctx.app, state, meeting, items, by);
      return `removed "${gone.text}"`;
    }
    case "move": {
      const [from, to] = rest.map(Number);
      if (![from, to].every((x) => Number.isInteger(x) && x >= 1 && x <= items.length))
        throw new UserError(`${meeting} has items 1 to ${items.length}`);
      const [it] = items.splice(from - 1, 1);
      items.splice(to - 1, 0, it);
      await save(ctx.app, state, meeting, items, by);
      return `agenda of ${meeting}: ${agendaText(state, meeting)}`;
    }
    default:
      throw usageError({ usage: AGENDA_USAGE });
  }
}
