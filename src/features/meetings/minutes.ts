/**
 * MeetBot-style minutes across a whole link: `#startmeeting` in any room of a link starts the meeting for all of
 * its rooms, everything said in any of them (on every platform) goes in the log, and `#endmeeting` writes the
 * minutes and posts the link everywhere. Chairs are people (linked identities), not nick text.
 */
import type { AnyCommand, CommandContext } from "../../core/commands.js";
import type { AppContext } from "../../core/context.js";
import { parseDuration } from "../../core/duration.js";
import { UserError } from "../../core/errors.js";
import type { ChatEvent, RoomRef } from "../../core/model.js";
import { toPlain } from "../../core/richtext.js";
import { linksOf } from "../../relay/links.js";
import { findSeen } from "../seen.js";
import { writeMinutes } from "./minutes-writer.js";
import { shortId } from "./store.js";

interface Run {
  id: string;
  link: string;
  title: string;
  startedAt: number;
  chairs: string[];
  lineSeq: number;
  itemSeq: number;
  vote?: { question: string; votes: Map<string, number> };
}

const STATE = "minutes-runs";
const runs = (app: AppContext): Map<string, Run> => {
  let m = app.services.get(STATE) as Map<string, Run> | undefined;
  if (!m) {
    m = new Map();
    app.services.set(STATE, m);
  }
  return m;
};

/** A meeting runs over the first link a room is in, or over the room alone. */
function linkKey(app: AppContext, room: RoomRef): string {
  const link = linksOf(app.config.links, room)[0];
  return link ? `link:${link.name}` : `room:${room.account}/${room.room}`;
}

function roomsOf(app: AppContext, key: string): RoomRef[] {
  if (key.startsWith("link:")) {
    const link = app.config.links.find((l) => l.name === key.slice(5));
    return (link?.rooms ?? []).map((r) => ({ account: r.account, room: r.room }));
  }
  const [account, ...room] = key.slice(5).split("/");
  return [{ account, room: room.join("/") }];
}

export async function loadRuns(app: AppContext): Promise<void> {
  const open = await app.store.all<{ id: string; link: string; title: string; started_at: number; chairs: string }>(
    "SELECT id, link, title, started_at, chairs FROM minutes_runs WHERE ended_at IS NULL",
  );
  for (const r of open) {
    const seq = await app.store.get<{ l: number; i: number }>(
      "SELECT (SELECT COALESCE(MAX(seq), 0) FROM minutes_lines WHERE run = ?) AS l, (SELECT COALESCE(MAX(seq), 0) FROM minutes_items WHERE run = ?) AS i",
      [r.id, r.id],
    );
    runs(app).set(r.link, {
      id: r.id,
      link: r.link,
      title: r.title,
      startedAt: Number(r.started_at),
      chairs: JSON.parse(r.chairs),
      lineSeq: Number(seq?.l ?? 0),
      itemSeq: Number(seq?.i ?? 0),
    });
  }
}

/** Logs every human line said in a room of a running meeting; counts votes. */
export async function logLine(event: ChatEvent, app: AppContext): Promise<void> {
  if (event.kind !== "message" || event.fromSelf) return;
  const run = runs(app).get(linkKey(app, event.room));
  if (!run) return;
  const text = toPlain(event.body).slice(0, 2000);
  const person = await app.identity.personId(event.sender);
  run.lineSeq++;
  await app.store.run(
    "INSERT INTO minutes_lines (run, seq, at, account, room, nick, person, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [
      run.id,
      run.lineSeq,
      event.at.getTime(),
      event.room.account,
      event.room.room,
      event.sender.name.slice(0, 80),
      person,
      text,
    ],
  );
  const vote = /^\s*([+-][01])\s*$/.exec(text);
  if (vote && run.vote) run.vote.votes.set(person, Number(vote[1]));
}

async function chairKeyOf(ctx: CommandContext, name: string): Promise<string> {
  const [who] = await findSeen(ctx.app.store, name, ctx.room.account);
  return who ? ctx.app.identity.personId(who) : `name:${name.replace(/^@/, "").toLowerCase()}`;
}

async function isChair(ctx: CommandContext, run: Run): Promise<boolean> {
  const person = await ctx.app.identity.personId(ctx.user);
  return (
    run.chairs.includes(person) || run.chairs.includes(`name:${ctx.user.name.toLowerCase()}`) || (await ctx.isAdmin())
  );
}

function current(ctx: CommandContext): Run {
  const run = runs(ctx.app).get(linkKey(ctx.app, ctx.room));
  if (!run) throw new UserError("no meeting is running here; start one with #startmeeting <title>");
  return run;
}

async function addItem(ctx: CommandContext, run: Run, kind: string, text: string, owner?: string): Promise<void> {
  if (!text.trim()) throw new UserError(`#${kind} needs some text`);
  run.itemSeq++;
  await ctx.app.store.run(
    "INSERT INTO minutes_items (run, seq, kind, text, owner, nick, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [run.id, run.itemSeq, kind, text.slice(0, 1000), owner ?? null, ctx.user.name.slice(0, 80), ctx.now()],
  );
}

async function say(app: AppContext, key: string, text: string, tag: string): Promise<void> {
  for (const room of roomsOf(app, key)) await app.notify(room, text, `${tag}->${room.account}/${room.room}`);
}

export async function endRun(app: AppContext, run: Run, by: string): Promise<string> {
  const now = app.clock.now();
  await app.store.run("UPDATE minutes_runs SET ended_at = ? WHERE id = ?", [now, run.id]);
  runs(app).delete(run.link);
  const items = await app.store.all<{ kind: string; text: string; owner: string | null; nick: string; at: number }>(
    "SELECT kind, text, owner, nick, at FROM minutes_items WHERE run = ? ORDER BY seq",
    [run.id],
  );
  const lines = await app.store.all<{ at: number; account: string; nick: string; text: string }>(
    "SELECT at, account, nick, text FROM minutes_lines WHERE run = ? ORDER BY seq",
    [run.id],
  );
  const chairNames = run.chairs.map((c) => c.replace(/^name:/, "").replace(/^[^:]+:/, ""));
  const stem = writeMinutes(app.stateDir, {
    id: run.id,
    title: run.title,
    startedAt: run.startedAt,
    endedAt: now,
    chairs: chairNames,
    items: items.map((i) => ({ ...i, owner: i.owner ?? undefined, at: Number(i.at) })),
    lines: lines.map((l) => ({ ...l, at: Number(l.at) })),
  });
  const where = app.config.http.publicUrl
    ? `${app.config.http.publicUrl.replace(/\/$/, "")}/minutes/${stem}.html`
    : `${stem}.html in the minutes folder`;
  await say(
    app,
    run.link,
    `meeting "${run.title}" ended${by ? ` by ${by}` : ""}; minutes: ${where}`,
    `minutes-end:${run.id}`,
  );
  return stem;
}

/** Warns, then closes meetings left open longer than `minutes.autoCloseAfter`. */
export async function closeForgotten(app: AppContext): Promise<void> {
  const limit = parseDuration(app.config.minutes.autoCloseAfter) ?? 3 * 3_600_000;
  const now = app.clock.now();
  for (const run of [...runs(app).values()]) {
    const age = now - run.startedAt;
    if (age >= limit) await endRun(app, run, "");
    else if (age >= limit - 15 * 60_000) {
      const r = await app.store.run("UPDATE minutes_runs SET warned = 1 WHERE id = ? AND warned = 0", [run.id]);
      if (r.changes)
        await say(
          app,
          run.link,
          `meeting "${run.title}" closes by itself in 15 minutes unless a chair says #endmeeting`,
          `minutes-warn:${run.id}`,
        );
    }
  }
}

type Handler = (args: string, ctx: CommandContext) => Promise<string>;

/** A command that notes an item of one kind and acknowledges it. */
const note =
  (kind: string, ack: (args: string) => string, chairs: boolean): Handler =>
  async (args, ctx) => {
    const run = current(ctx);
    if (chairs && !(await isChair(ctx, run))) throw new UserError("only the meeting's chairs may do that");
    await addItem(ctx, run, kind, args);
    return ack(args);
  };

const chairOnly =
  (h: (args: string, ctx: CommandContext, run: Run) => Promise<string>): Handler =>
  async (args, ctx) => {
    const run = current(ctx);
    if (!(await isChair(ctx, run))) throw new UserError("only the meeting's chairs may do that");
    return h(args, ctx, run);
  };
const anyone =
  (h: (args: string, ctx: CommandContext, run: Run) => Promise<string>): Handler =>
  async (args, ctx) =>
    h(args, ctx, current(ctx));

const handlers: Record<string, { summary: string; run: Handler; example?: string }> = {
  startmeeting: {
    summary: "start taking minutes in this room and every room linked to it",
    example: "#startmeeting Devel meeting",
    async run(args, ctx) {
      const key = linkKey(ctx.app, ctx.room);
      const running = runs(ctx.app).get(key);
      if (running) throw new UserError(`"${running.title}" is already running here; a chair can #endmeeting it`);
      const title = args.trim().slice(0, 200) || "Meeting";
      const person = await ctx.app.identity.personId(ctx.user);
      const run: Run = {
        id: shortId(),
        link: key,
        title,
        startedAt: ctx.now(),
        chairs: [person],
        lineSeq: 0,
        itemSeq: 0,
      };
      await ctx.app.store.run(
        "INSERT INTO minutes_runs (id, link, title, started_at, starter, chairs) VALUES (?, ?, ?, ?, ?, ?)",
        [run.id, key, title, run.startedAt, person, JSON.stringify(run.chairs)],
      );
      runs(ctx.app).set(key, run);
      await say(
        ctx.app,
        key,
        `meeting "${title}" started by ${ctx.user.name}; minutes are being taken here and in the linked rooms. #commands lists the commands`,
        `minutes-start:${run.id}`,
      );
      return "";
    },
  },
  endmeeting: {
    summary: "end the meeting and publish the minutes (chairs)",
    run: chairOnly(async (_a, ctx, run) => {
      await endRun(ctx.app, run, ctx.user.name);
      return "";
    }),
  },
  topic: {
    summary: "start a new topic (chairs)",
    run: note("topic", (a) => `topic: ${a.trim()}`, true),
  },
  info: {
    summary: "note a piece of information",
    run: note("info", () => "info noted", false),
  },
  idea: {
    summary: "note an idea",
    run: note("idea", () => "idea noted", false),
  },
  help: {
    summary: "note a call for help",
    run: note("help", () => "call for help noted", false),
  },
  link: {
    summary: "note a link",
    run: note("link", () => "link noted", false),
  },
  agreed: {
    summary: "record an agreement (chairs)",
    run: note("agreed", (a) => `agreed: ${a.trim()}`, true),
  },
  action: {
    summary: "record an action item for a person",
    run: anyone(async (a, ctx, run) => {
      const m = /^(\S+)\s+([\s\S]+)$/.exec(a.trim());
      if (!m) throw new UserError("#action <person> <what they will do>");
      await addItem(ctx, run, "action", m[2], m[1].replace(/^@/, ""));
      return `action for ${m[1].replace(/^@/, "")} noted`;
    }),
  },
  chair: {
    summary: "add chairs (chairs)",
    run: chairOnly(async (a, ctx, run) => {
      for (const name of a
        .split(/[\s,]+/)
        .filter(Boolean)
        .slice(0, 10)) {
        const key = await chairKeyOf(ctx, name);
        if (!run.chairs.includes(key)) run.chairs.push(key);
      }
      await ctx.app.store.run("UPDATE minutes_runs SET chairs = ? WHERE id = ?", [JSON.stringify(run.chairs), run.id]);
      return `chairs: ${run.chairs.length}`;
    }),
  },
  unchair: {
    summary: "remove chairs (chairs)",
    run: chairOnly(async (a, ctx, run) => {
      for (const name of a.split(/[\s,]+/).filter(Boolean)) {
        const key = await chairKeyOf(ctx, name);
        run.chairs = run.chairs.filter((c) => c !== key && c !== `name:${name.toLowerCase()}`);
      }
      await ctx.app.store.run("UPDATE minutes_runs SET chairs = ? WHERE id = ?", [JSON.stringify(run.chairs), run.id]);
      return `chairs: ${run.chairs.length}`;
    }),
  },
  undo: {
    summary: "remove the last item (chairs)",
    run: chairOnly(async (_a, ctx, run) => {
      const last = await ctx.app.store.get<{ seq: number; kind: string; text: string }>(
        "SELECT seq, kind, text FROM minutes_items WHERE run = ? ORDER BY seq DESC LIMIT 1",
        [run.id],
      );
      if (!last) throw new UserError("nothing to undo");
      await ctx.app.store.run("DELETE FROM minutes_items WHERE run = ? AND seq = ?", [run.id, last.seq]);
      return `removed ${last.kind}: ${last.text}`;
    }),
  },
  meetingname: {
    summary: "rename the meeting (chairs)",
    run: chairOnly(async (a, ctx, run) => {
      if (!a.trim()) throw new UserError("#meetingname <new name>");
      run.title = a.trim().slice(0, 200);
      await ctx.app.store.run("UPDATE minutes_runs SET title = ? WHERE id = ?", [run.title, run.id]);
      return `meeting renamed to "${run.title}"`;
    }),
  },
  vote: {
    summary: "start a vote; people answer +1, -1 or +0 (chairs)",
    run: chairOnly(async (a, _ctx, run) => {
      if (!a.trim()) throw new UserError("#vote <question>");
      run.vote = { question: a.trim().slice(0, 300), votes: new Map() };
      return `vote: ${run.vote.question} — answer +1, -1 or +0`;
    }),
  },
  endvote: {
    summary: "close the vote and record the result (chairs)",
    run: chairOnly(async (_a, ctx, run) => {
      if (!run.vote) throw new UserError("no vote is open");
      const v = [...run.vote.votes.values()];
      const result = `${run.vote.question}: +1 ×${v.filter((x) => x > 0).length}, -1 ×${v.filter((x) => x < 0).length}, +0 ×${v.filter((x) => x === 0).length}`;
      run.vote = undefined;
      await addItem(ctx, run, "vote", result);
      return `vote closed — ${result}`;
    }),
  },
  commands: {
    summary: "list the meeting commands",
    async run() {
      return `meeting commands: ${Object.keys(handlers)
        .map((n) => `#${n}`)
        .join(" ")}`;
    },
  },
};

export const minutesCommands: AnyCommand[] = Object.entries(handlers).map(([name, h]) => ({
  name,
  prefix: "#",
  summary: h.summary,
  usage: `#${name}`,
  // The examples run in order in one room: a meeting is started, ended, and then there is none to act on.
  examples: [
    {
      input: h.example ?? `#${name}`,
      expect:
        name === "startmeeting"
          ? "started by"
          : name === "endmeeting"
            ? "ended by"
            : name === "commands"
              ? "#startmeeting"
              : "no meeting is running here",
    },
  ],
  permission: "anyone" as const,
  run: h.run,
}));
