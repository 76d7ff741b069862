/**
 * Runs the schedule engine for the features that own schedules: announcements (the config's `schedules:`), meeting
 * reminders (the meetings feature) and people's reminders (remind). Each owner registers its kind of schedule with
 * how its occurrences read, when it is built, and stores and cancels its schedules through the book it gets back;
 * so no schedule can be stored that nothing renders, and the engine stays free of any feature's wording.
 */
import type { Feature } from "../core/context.js";
import { meetingSpec } from "../services/recurrence.js";
import {
  type ScheduleInput,
  type ScheduleKind,
  type ScheduleKindHandling,
  Scheduler,
  schedulerMigrations,
} from "../services/scheduler.js";

export { meetingSpec };

type Stored = ScheduleInput & { nextAt: number | null; active: boolean };

/** The schedules of one kind, for the feature that owns the kind. */
export interface ScheduleBook {
  readonly kind: ScheduleKind;
  /** Creates or updates a schedule of this kind; a changed recurrence is re-armed from now. */
  upsert(input: Omit<ScheduleInput, "kind">): Promise<void>;
  get(id: string): Promise<Stored | undefined>;
  cancel(id: string): Promise<boolean>;
  /** Moves a (one-off) schedule to a new time and re-activates it. */
  moveTo(id: string, at: number): Promise<void>;
  /** Active schedules of this kind asked for by one person, soonest first. */
  list(owner: string): Promise<Stored[]>;
  countActive(owner: string): Promise<number>;
  /** Deactivates this kind's schedules from `source` that are no longer wanted (config entries removed). */
  retire(source: string, keep: readonly string[]): Promise<void>;
}

/** What other features use of this one. */
export interface Schedules {
  /**
   * Registers a kind of schedule and how its occurrences read; only the book it returns stores schedules of that
   * kind. Called while the features are built (before `init`); a kind registered twice is a startup error.
   */
  register(kind: ScheduleKind, handling: ScheduleKindHandling): ScheduleBook;
}

/** The schedule engine's feature; the engine exists from `init` on (it needs the store). */
export function schedulesFeature(): Feature & Schedules & { readonly scheduler: Scheduler } {
  const kinds = new Map<ScheduleKind, ScheduleKindHandling>();
  let engine: Scheduler | undefined;
  const scheduler = (): Scheduler => {
    if (!engine) throw new Error("the schedules feature is not initialised yet");
    return engine;
  };
  const bookOf = (kind: ScheduleKind): ScheduleBook => {
    const get = async (id: string) => {
      const s = await scheduler().get(id);
      return s?.kind === kind ? s : undefined;
    };
    return {
      kind,
      upsert: (input) => scheduler().upsert({ ...input, kind }),
      get,
      cancel: async (id) => ((await get(id)) ? scheduler().cancel(id) : false),
      async moveTo(id, at) {
        if (await get(id)) await scheduler().moveTo(id, at);
      },
      list: (owner) => scheduler().list({ owner, kind }),
      countActive: (owner) => scheduler().countActive(owner, kind),
      retire: (source, keep) => scheduler().retire(source, keep, kind),
    };
  };
  return {
    name: "schedules",
    migrations: schedulerMigrations,
    register(kind, handling) {
      if (kinds.has(kind)) throw new Error(`two features own schedules of kind "${kind}"`);
      kinds.set(kind, handling);
      return bookOf(kind);
    },
    get scheduler(): Scheduler {
      return scheduler();
    },
    async init(app) {
      engine = new Scheduler(app, kinds);
      const orphaned = await engine.unrendered();
      if (orphaned.length)
        app.log.error(
          { kinds: orphaned },
          "stored schedules of these kinds are not fired: no feature renders them (was a feature removed?)",
        );
    },
    async start() {
      engine?.start();
    },
    async stop() {
      await engine?.stop();
    },
    // The engine has no settings of its own: it keeps running while the owners re-sync their schedules.
    async reload() {},
  };
}
