/**
 * MeetBot-style minutes across a whole link: `#startmeeting` in any room of a link starts the meeting for all of
 * its rooms, everything said in any of them (on every platform) goes in the log, and `#endmeeting` writes the
 * minutes and posts the link everywhere. Chairs are people (linked identities), not nick text.
 */
import type { AnyCommand, CommandContext } from "../../core/commands.js";
import { UserError } from "../../core/errors.js";
import { personOfName } from "./people.js";
import { endRun, linkKey, type Run, say } from "./runs.js";
import type { MeetingsState } from "./state.js";
import { shortId } from "./store.js";

async function isChair(ctx: CommandContext, run: Run): Promise<boolean> {
  const person = await ctx.app.identity.personId(ctx.user);
  return (
    run.chairs.includes(person) || run.chairs.includes(`name:${ctx.user.name.toLowerCase()}`) || (await ctx.isAdmin())
  );
}

function current(ctx: CommandContext, m: MeetingsState): Run {
  const run = m.runs.get(linkKey(ctx.app, ctx.room));
  if (!run) throw new UserError("no meeting is running here; start one with #startmeeting <title>");
  return run;
}

async function addItem(
  ctx: CommandContext,
  run: Run,
  kind: string,
  text: string,
  owner?: { name: string; person: string },
): Promise<void> {
  if (!text.trim()) throw new UserError(`#${kind} needs some text`);
  run.itemSeq++;
  await ctx.app.store.run(
    "INSERT INTO minutes_items (run, seq, kind, text, owner, owner_person, nick, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [
      run.id,
      run.itemSeq,
      kind,
      text.slice(0, 1000),
      owner?.name ?? null,
      owner?.person ?? null,
      ctx.user.name.slice(0, 80),
      ctx.now(),
    ],
  );
}

type Handler = (args: string, ctx: CommandContext, m: MeetingsState) => Promise<string>;
type RunHandler = (args: string, ctx: CommandContext, run: Run, m: MeetingsState) => Promise<string>;

/** A command that notes an item of one kind and acknowledges it. */
const note =
  (kind: string, ack: (args: string) => string, chairs: boolean): Handler =>
  async (args, ctx, m) => {
    const run = current(ctx, m);
    if (chairs && !(await isChair(ctx, run))) throw new UserError("only the meeting's chairs may do that");
    await addItem(ctx, run, kind, args);
    return ack(args);
  };

const chairOnly =
  (h: RunHandler): Handler =>
  async (args, ctx, m) => {
    const run = current(ctx, m);
    if (!(await isChair(ctx, run))) throw new UserError("only the meeting's chairs may do that");
    return h(args, ctx, run, m);
  };
const anyone =
  (h: RunHandler): Handler =>
  async (args, ctx, m) =>
    h(args, ctx, current(ctx, m), m);

const handlers: Record<string, { summary: string; run: Handler; example?: string }> = {
  startmeeting: {
    summary: "start taking minutes in this room and every room linked to it",
    example: "#startmeeting Devel meeting",
    async run(args, ctx, m) {
      const key = linkKey(ctx.app, ctx.room);
      const running = m.runs.get(key);
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
      m.runs.set(key, run);
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
    run: chairOnly(async (_a, ctx, run, m) => {
      await endRun(ctx.app, m, run, ctx.user.name);
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
    run: anyone(async (a, ctx, run, state) => {
      const m = /^(\S+)\s+([\s\S]+)$/.exec(a.trim());
      if (!m) throw new UserError("#action <person> <what they will do>");
      // Grouped by the person the name means: "mara" on IRC and "@mara_d" on Discord may be one person.
      const name = m[1].replace(/^@/, "");
      await addItem(ctx, run, "action", m[2], { name, person: await personOfName(ctx, state.seen, name) });
      return `action for ${name} noted`;
    }),
  },
  chair: {
    summary: "add chairs (chairs)",
    run: chairOnly(async (a, ctx, run, m) => {
      for (const name of a
        .split(/[\s,]+/)
        .filter(Boolean)
        .slice(0, 10)) {
        const key = await personOfName(ctx, m.seen, name);
        if (!run.chairs.includes(key)) run.chairs.push(key);
      }
      await ctx.app.store.run("UPDATE minutes_runs SET chairs = ? WHERE id = ?", [JSON.stringify(run.chairs), run.id]);
      return `chairs: ${run.chairs.length}`;
    }),
  },
  unchair: {
    summary: "remove chairs (chairs)",
    run: chairOnly(async (a, ctx, run, m) => {
      for (const name of a.split(/[\s,]+/).filter(Boolean)) {
        const key = await personOfName(ctx, m.seen, name);
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

export const minutesCommands = (m: MeetingsState): AnyCommand[] =>
  Object.entries(handlers).map(([name, h]) => ({
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
    run: (args: string, ctx: CommandContext) => h.run(args, ctx, m),
  }));
