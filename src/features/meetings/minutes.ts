/**
 * MeetBot-style minutes across a whole link: `#startmeeting` in any room of a link starts the meeting for all of
 * its rooms, everything said in any of them (on every platform) goes in the log, and `#endmeeting` writes the
 * minutes and posts the link everywhere. Chairs are people (linked identities), not nick text.
 */
import type { AnyCommand, CommandContext } from "../../core/commands.js";
import { UserError } from "../../core/errors.js";
import { nameOfPerson, personOfName } from "./people.js";
import { appendLine, endRun, linkKey, type Run, roomsOf, say } from "./runs.js";
import type { MeetingsState } from "./state.js";
import { meetingFor } from "./which-meeting.js";
import { shortId } from "./store.js";

/** The chairs by name: `chairs: ann, bob`. */
async function chairNames(ctx: CommandContext, m: MeetingsState, run: Run): Promise<string> {
  const lines = await ctx.app.store.all<{ person: string; nick: string }>(
    "SELECT person, nick FROM minutes_lines WHERE run = ? ORDER BY seq LIMIT 2000",
    [run.id],
  );
  const names: string[] = [];
  for (const c of run.chairs) names.push(await nameOfPerson(ctx.app, m.seen, c, lines));
  return names.join(", ") || "nobody";
}

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

/**
 * The `#` commands, in the order their examples run as tests (in one room): a meeting is started, every command is
 * used in it as a chair would, and `#endmeeting` comes last.
 */
const handlers: Record<string, { summary: string; run: Handler; example: string; expect: string | RegExp }> = {
  startmeeting: {
    summary: "start taking minutes in this room and every room linked to it (give the meeting's id or a title)",
    example: "#startmeeting Devel meeting",
    expect: "started by",
    async run(args, ctx, m) {
      const key = linkKey(ctx.app, ctx.room);
      const running = m.runs.get(key);
      if (running) throw new UserError(`"${running.title}" is already running here; a chair can #endmeeting it`);
      const meeting = await meetingFor(ctx.app, key, roomsOf(ctx.app, key), args, ctx.now());
      const named = meeting && args.trim().toLowerCase() === meeting.id.toLowerCase();
      const title = (named ? "" : args.trim().slice(0, 200)) || meeting?.title || "Meeting";
      const person = await ctx.app.identity.personId(ctx.user);
      const run: Run = {
        id: shortId(),
        link: key,
        title,
        meeting: meeting?.id,
        startedAt: ctx.now(),
        chairs: [person],
        lineSeq: 0,
        itemSeq: 0,
      };
      await ctx.app.store.run(
        "INSERT INTO minutes_runs (id, link, title, started_at, starter, chairs, meeting) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run.id, key, title, run.startedAt, person, JSON.stringify(run.chairs), run.meeting ?? null],
      );
      m.runs.set(key, run);
      await appendLine(ctx.app, run, ctx.event);
      await say(
        ctx.app,
        key,
        `meeting "${title}" started by ${ctx.user.name}; minutes are being taken here and in the linked rooms. #commands lists the commands`,
        `minutes-start:${run.id}`,
      );
      return "";
    },
  },
  topic: {
    summary: "start a new topic (chairs)",
    example: "#topic Release plan for 6.0",
    expect: "topic: Release plan for 6.0",
    run: note("topic", (a) => `topic: ${a.trim()}`, true),
  },
  info: {
    summary: "note a piece of information",
    example: "#info the 6.0 branch is open",
    expect: "info noted",
    run: note("info", () => "info noted", false),
  },
  idea: {
    summary: "note an idea",
    example: "#idea nightly builds for every branch",
    expect: "idea noted",
    run: note("idea", () => "idea noted", false),
  },
  help: {
    summary: "note a call for help",
    example: "#help testers wanted for the TLS module",
    expect: "call for help noted",
    run: note("help", () => "call for help noted", false),
  },
  link: {
    summary: "note a link",
    example: "#link https://www.kamailio.org/w/2026/11/release-plan/",
    expect: "link noted",
    run: note("link", () => "link noted", false),
  },
  agreed: {
    summary: "record an agreement (chairs)",
    example: "#agreed 6.0.0 is tagged on 15 January",
    expect: "agreed: 6.0.0 is tagged on 15 January",
    run: note("agreed", (a) => `agreed: ${a.trim()}`, true),
  },
  action: {
    summary: "record an action item for a person",
    example: "#action henning prepare the release notes",
    expect: "action for henning noted",
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
    example: "#chair bob",
    expect: /^chairs: .+, bob$/,
    run: chairOnly(async (a, ctx, run, m) => {
      for (const name of a
        .split(/[\s,]+/)
        .filter(Boolean)
        .slice(0, 10)) {
        const key = await personOfName(ctx, m.seen, name);
        if (!run.chairs.includes(key)) run.chairs.push(key);
      }
      await ctx.app.store.run("UPDATE minutes_runs SET chairs = ? WHERE id = ?", [JSON.stringify(run.chairs), run.id]);
      return `chairs: ${await chairNames(ctx, m, run)}`;
    }),
  },
  unchair: {
    summary: "remove chairs (chairs)",
    example: "#unchair bob",
    expect: /^chairs: (?!.*bob)/,
    run: chairOnly(async (a, ctx, run, m) => {
      for (const name of a.split(/[\s,]+/).filter(Boolean)) {
        const key = await personOfName(ctx, m.seen, name);
        run.chairs = run.chairs.filter((c) => c !== key && c !== `name:${name.toLowerCase()}`);
      }
      await ctx.app.store.run("UPDATE minutes_runs SET chairs = ? WHERE id = ?", [JSON.stringify(run.chairs), run.id]);
      return `chairs: ${await chairNames(ctx, m, run)}`;
    }),
  },
  undo: {
    summary: "remove the last item (chairs)",
    example: "#undo",
    expect: "removed action: prepare the release notes",
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
    example: "#meetingname Devel meeting, December",
    expect: 'meeting renamed to "Devel meeting, December"',
    run: chairOnly(async (a, ctx, run) => {
      if (!a.trim()) throw new UserError("#meetingname <new name>");
      run.title = a.trim().slice(0, 200);
      await ctx.app.store.run("UPDATE minutes_runs SET title = ? WHERE id = ?", [run.title, run.id]);
      return `meeting renamed to "${run.title}"`;
    }),
  },
  vote: {
    summary: "start a vote; people answer +1, -1 or +0 (chairs)",
    example: "#vote tag 6.0.0 on 15 January?",
    expect: "vote: tag 6.0.0 on 15 January? — answer +1, -1 or +0",
    run: chairOnly(async (a, _ctx, run) => {
      if (!a.trim()) throw new UserError("#vote <question>");
      run.vote = { question: a.trim().slice(0, 300), votes: new Map() };
      return `vote: ${run.vote.question} — answer +1, -1 or +0`;
    }),
  },
  endvote: {
    summary: "close the vote and record the result (chairs)",
    example: "#endvote",
    expect: "vote closed",
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
    example: "#commands",
    expect: "#startmeeting",
    async run() {
      return `meeting commands: ${Object.keys(handlers)
        .map((n) => `#${n}`)
        .join(" ")}`;
    },
  },
  endmeeting: {
    summary: "end the meeting and publish the minutes (chairs)",
    example: "#endmeeting",
    expect: "ended by",
    run: chairOnly(async (_a, ctx, run, m) => {
      await endRun(ctx.app, m, run, ctx.user.name);
      return "";
    }),
  },
};

export const minutesCommands = (m: MeetingsState): AnyCommand[] =>
  Object.entries(handlers).map(([name, h]) => ({
    name,
    prefix: "#",
    summary: h.summary,
    usage:
      h.example === `#${name}`
        ? `#${name}`
        : `#${name} ${name === "action" ? "<person> <what they will do>" : name === "chair" || name === "unchair" ? "<names>" : name === "startmeeting" ? "[meeting id or title]" : "<text>"}`,
    examples: [{ input: h.example, expect: h.expect }],
    permission: "anyone" as const,
    run: (args: string, ctx: CommandContext) => h.run(args, ctx, m),
  }));
