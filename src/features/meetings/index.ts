/** Community meetings: proposals with attendance, agendas with owners, and minutes across linked rooms. */
import type { CommandContext } from "../../core/commands.js";
import type { AppContext, Feature } from "../../core/context.js";
import type { SeenPeople } from "../seen.js";
import type { Schedules } from "../schedules.js";
import { type AgendaItem, agendaCommand, agendaItems, agendaText, loadAgendas } from "./agenda.js";
import { minutesCommands } from "./minutes.js";
import { attendCommand, meetingCommand } from "./proposals.js";
import { closeForgotten, loadRuns, logLine } from "./runs.js";
import type { MeetingsState } from "./state.js";
import { meetingMigrations } from "./store.js";
import { type PickedMeeting, type ProposalOptionsView, pickedMeetings, minutesFiles, proposalView } from "./views.js";

interface LoopState {
  stopped: boolean;
  sleeping?: { cancel(): void };
}

async function autoCloseLoop(app: AppContext, m: MeetingsState, state: LoopState): Promise<void> {
  while (!state.stopped) {
    await closeForgotten(app, m).catch((err) => app.log.warn({ err }, "closing forgotten meetings failed"));
    const s = app.clock.sleep(60_000);
    state.sleeping = s;
    await s.done;
  }
}

/** What other parts may ask of the meetings feature (the web pages show it). */
export interface Meetings {
  agendaOf(meeting: string): readonly AgendaItem[];
  proposal(id: string): Promise<ProposalOptionsView | undefined>;
  minutesFiles(id: string): Promise<string[]>;
  picked(from: number, until: number): Promise<PickedMeeting[]>;
}

/** Needs the schedules feature (a picked time becomes reminders) and the seen feature (owners and chairs by name). */
export function meetingsFeature(deps: { schedules: Schedules; seen: SeenPeople }): Feature & Meetings {
  const m: MeetingsState = { runs: new Map(), agendas: new Map(), schedules: deps.schedules, seen: deps.seen };
  let loop: LoopState | undefined;
  let core: AppContext | undefined;
  const app = (): AppContext => {
    if (!core) throw new Error("the meetings feature is not initialised yet");
    return core;
  };
  return {
    name: "meetings",
    migrations: meetingMigrations,
    async init(app) {
      core = app;
      await loadAgendas(app, m);
      await loadRuns(app, m);
      m.schedules.scheduler.useAgenda((meeting) => agendaText(m, meeting));
    },
    async start(app) {
      loop = { stopped: false };
      void autoCloseLoop(app, m, loop);
    },
    async stop() {
      if (loop) {
        loop.stopped = true;
        loop.sleeping?.cancel();
      }
    },
    onEvent: (event, app) => logLine(m, event, app),
    agendaOf: (meeting) => agendaItems(m, meeting),
    proposal: (id) => proposalView(app().store, id),
    minutesFiles: (id) => minutesFiles(app().store, app().config, id),
    picked: (from, until) => pickedMeetings(app().store, from, until),
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
        run: (args: string, ctx: CommandContext) => meetingCommand(m, args, ctx),
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
        run: (args: string, ctx: CommandContext) => agendaCommand(m, args, ctx),
      },
      ...minutesCommands(m),
    ],
  };
}
