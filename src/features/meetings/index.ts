/** Community meetings: proposals with attendance, agendas with owners, and minutes across linked rooms. */
import type { CommandContext } from "../../core/commands.js";
import type { AppContext, Feature } from "../../core/context.js";
import { agendaCommand, loadAgendas } from "./agenda.js";
import { minutesCommands } from "./minutes.js";
import { attendCommand, meetingCommand } from "./proposals.js";
import { closeForgotten, loadRuns, logLine } from "./runs.js";
import { meetingMigrations } from "./store.js";

interface LoopState {
  stopped: boolean;
  sleeping?: { cancel(): void };
}

async function autoCloseLoop(app: AppContext, state: LoopState): Promise<void> {
  while (!state.stopped) {
    await closeForgotten(app).catch((err) => app.log.warn({ err }, "closing forgotten meetings failed"));
    const s = app.clock.sleep(60_000);
    state.sleeping = s;
    await s.done;
  }
}

export const meetingsFeature: Feature = {
  name: "meetings",
  migrations: meetingMigrations,
  async init(app) {
    await loadAgendas(app);
    await loadRuns(app);
  },
  async start(app) {
    const state: LoopState = { stopped: false };
    app.services.set("meetings-loop", state);
    void autoCloseLoop(app, state);
  },
  async stop(app) {
    const state = app.services.get("meetings-loop") as LoopState | undefined;
    if (state) {
      state.stopped = true;
      state.sleeping?.cancel();
    }
  },
  onEvent: logLine,
  commands: [
    {
      name: "meeting",
      summary: "propose a meeting time, add alternatives, show attendance, pick the winner",
      usage: '!meeting propose "title" <time> | alt <id> <time> | show <id> | pick <id> <option>',
      examples: [
        {
          input: '!meeting propose "Devel meeting" 2099-12-02 15:00 UTC',
          expect: /proposed "Devel meeting" \[[a-z0-9]{5}\]/,
          asAdmin: true,
        },
        {
          input: '!meeting propose "Devel meeting" 2099-12-02 15:00 UTC',
          expect: "only admins and organisers may propose",
        },
        { input: "!meeting show nosuch", expect: 'no proposed meeting "nosuch"' },
      ],
      permission: "anyone",
      run: (args: string, ctx: CommandContext) => meetingCommand(args, ctx),
    },
    {
      name: "attend",
      summary: "say you can attend a proposed meeting (option 1 unless given)",
      usage: "!attend <id> [option]",
      examples: [{ input: "!attend nosuch", expect: 'no proposed meeting "nosuch"' }],
      permission: "anyone",
      run: (args: string, ctx: CommandContext) => attendCommand(args, ctx, true),
    },
    {
      name: "unattend",
      summary: "take back your attendance",
      usage: "!unattend <id> [option]",
      examples: [{ input: "!unattend nosuch", expect: 'no proposed meeting "nosuch"' }],
      permission: "anyone",
      run: (args: string, ctx: CommandContext) => attendCommand(args, ctx, false),
    },
    {
      name: "agenda",
      summary: "a meeting's agenda: add items with owners, list, remove, reorder",
      usage:
        "!agenda add <meeting> <text> [(owner)] | list <meeting> | remove <meeting> <n> | move <meeting> <from> <to>",
      examples: [{ input: "!agenda list nosuch", expect: 'no meeting "nosuch"' }],
      permission: "anyone",
      run: (args: string, ctx: CommandContext) => agendaCommand(args, ctx),
    },
    ...minutesCommands,
  ],
};
