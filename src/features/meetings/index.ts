/** Community meetings: proposals with attendance, agendas with owners, and minutes across linked rooms. */
import type { CommandContext } from "../../core/commands.js";
import type { AppContext, Feature } from "../../core/context.js";
import type { SeenPeople } from "../seen.js";
import type { Schedules } from "../schedules.js";
import { AGENDA_USAGE, type AgendaItem, agendaCommand, agendaItems, loadAgendas } from "./agenda.js";
import { minutesCommands } from "./minutes.js";
import { attendCommand, MEETING_USAGE, meetingCommand } from "./proposals.js";
import { MEETING_REMINDER, meetingPlaceholders, renderMeetingReminder, syncConfigReminders } from "./reminders.js";
import { closeForgotten, loadRuns, logLine } from "./runs.js";
import type { MeetingsState } from "./state.js";
import { meetingMigrations } from "./store.js";
import {
  finishedMinutes,
  type MinutesEntry,
  type PickedMeeting,
  pickedMeetings,
  type ProposalView,
  proposalView,
} from "./queries.js";

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
  proposal(id: string): Promise<ProposalView | undefined>;
  /** Finished minutes, newest first: of one meeting, or (no id) all of them. */
  minutes(id?: string): Promise<MinutesEntry[]>;
  picked(from: number, until: number): Promise<PickedMeeting[]>;
  /** What a meeting puts in an announcement's `{agenda}` and `{link}` ("" for none). */
  placeholders(meeting: string | undefined): { agenda: string; link: string };
}

/**
 * Needs the schedules feature (meeting reminders are its kind of schedule: the configured meetings' and a picked
 * time's) and the seen feature (owners and chairs by name).
 */
export function meetingsFeature(deps: { schedules: Schedules; seen: SeenPeople }): Feature & Meetings {
  const reminders = deps.schedules.register(MEETING_REMINDER, {
    render: (firing, app) => renderMeetingReminder(m, firing, app),
  });
  const m: MeetingsState = { runs: new Map(), agendas: new Map(), reminders, seen: deps.seen };
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
      await syncConfigReminders(reminders, app.config);
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
    minutes: (id) => finishedMinutes(app().store, id),
    picked: (from, until) => pickedMeetings(app().store, from, until),
    placeholders: (meeting) => meetingPlaceholders(app(), m, meeting),
    // The examples run in order in one room (test/unit/core/examples.test.ts): a meeting is proposed, attended,
    // given an agenda, then minuted with every `#` command.
    commands: [
      {
        name: "meeting",
        summary: "propose a meeting (time, place), add alternatives, show attendance, pick one",
        usage: MEETING_USAGE,
        examples: [
          {
            input: '!meeting propose "Devel meeting" 2099-12-02 15:00 UTC place: #kamailio-dev',
            expect: /proposed "Devel meeting" \[[a-z0-9]{5}\] in #kamailio-dev/,
            asAdmin: true,
          },
          {
            input: '!meeting propose "Devel meeting" 2099-12-02 15:00 UTC',
            expect: "only admins and organisers may propose",
          },
          { input: "!meeting alt", expect: "Usage: !meeting alt <id> <time>" },
        ],
        permission: "anyone",
        run: (args: string, ctx: CommandContext) => meetingCommand(m, args, ctx),
      },
      {
        name: "attend",
        summary: "say you can attend a proposed meeting (default: the one here, option 1)",
        usage: "!attend [id] [option]",
        examples: [
          { input: "!attend", expect: /"Devel meeting" \[[a-z0-9]{5}\] in #kamailio-dev: 1\) .*: 1 — someone/ },
        ],
        permission: "anyone",
        run: (args: string, ctx: CommandContext) => attendCommand(args, ctx, true),
      },
      {
        name: "unattend",
        summary: "take back your attendance",
        usage: "!unattend [id] [option]",
        examples: [{ input: "!unattend", expect: "nobody yet" }],
        permission: "anyone",
        run: (args: string, ctx: CommandContext) => attendCommand(args, ctx, false),
      },
      {
        name: "agenda",
        summary: "a meeting's agenda: add items with owners, list, remove, reorder",
        usage: AGENDA_USAGE,
        examples: [
          { input: "!agenda add Release plan for 6.0 (henning)", expect: /^added as item 1 of [a-z0-9]{5}$/ },
          { input: "!agenda list", expect: /^agenda of [a-z0-9]{5}: 1\. Release plan for 6\.0 \(henning\)$/ },
        ],
        permission: "anyone",
        run: (args: string, ctx: CommandContext) => agendaCommand(m, args, ctx),
      },
      ...minutesCommands(m),
    ],
  };
}
