import type { AppContext, Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { foldLogMigrations } from "../relay/fold-log.js";
import { messageMapMigrations } from "../relay/message-map.js";
import { Relay } from "../relay/relay.js";

const PRUNE_EVERY_MS = 6 * 3_600_000;

/** State of the prune loop of one app. */
interface PruneState {
  stopped: boolean;
  sleeping?: { cancel(): void };
}

/** What other features may do with the relay: pause and resume links. */
export interface LinkControl {
  isPaused(name: string): boolean;
  setPaused(name: string, paused: boolean): Promise<void>;
  /** Messages the flood policy folded per target room (`account/room`) since crier started. */
  folded(): ReadonlyMap<string, number>;
}

/** What the web pages may read of the relay: the messages of one folded flood (the fold line links there). */
export interface FoldedRunSource {
  foldedRun(id: string): ReturnType<Relay["folds"]["read"]>;
}

/** The relay between linked rooms (names are told apart from who is present: relay/names.ts). Admin commands: link-admin.ts. */
export function relayFeature(): Feature & LinkControl & FoldedRunSource {
  let relay: Relay | undefined;
  let prune: PruneState | undefined;
  const started = (): Relay => {
    if (!relay) throw new Error("the relay feature is not initialised yet");
    return relay;
  };
  return {
    name: "relay",
    migrations: [...messageMapMigrations, ...foldLogMigrations],
    async init(app) {
      const r = new Relay(app);
      await r.init();
      relay = r;
    },
    async start(app) {
      prune = { stopped: false };
      void pruneLoop(app, started(), prune);
    },
    async stop() {
      relay?.stop();
      if (prune) {
        prune.stopped = true;
        prune.sleeping?.cancel();
      }
    },
    async onEvent(event) {
      await relay?.onEvent(event);
    },
    answerRooms: (room, sender) => relay?.answerRooms(room, sender) ?? [],
    isPaused: (name) => started().isPaused(name),
    setPaused: (name, paused) => started().setPaused(name, paused),
    folded: () => relay?.folded() ?? new Map(),
    foldedRun: async (id) => relay?.folds.read(id),
  };
}

/** Forgets old message-map entries and delivered outbox rows, a few times a day. */
async function pruneLoop(app: AppContext, r: Relay, state: PruneState): Promise<void> {
  const keep = parseDuration(app.config.relay.retention) ?? 30 * 86_400_000;
  while (!state.stopped) {
    try {
      const cutoff = app.clock.now() - keep;
      const messages = (await r.map.prune(cutoff)) + (await r.folds.prune(cutoff));
      const rows = await app.outbox.prune(keep);
      if (messages || rows) app.log.info({ messages, outboxRows: rows }, "pruned relay history");
    } catch (err) {
      app.log.warn({ err }, "relay prune failed");
    }
    const sleep = app.clock.sleep(PRUNE_EVERY_MS);
    state.sleeping = sleep;
    await sleep.done;
  }
}
