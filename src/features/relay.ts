import type { AppContext, Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { messageMapMigrations } from "../relay/message-map.js";
import { Relay } from "../relay/relay.js";

const PRUNE_EVERY_MS = 6 * 3_600_000;

/** Per-app state of the prune loop (several apps may run in one process, as in tests). */
interface PruneState {
  stopped: boolean;
  sleeping?: { cancel(): void };
}

/** The relay between linked rooms; admin commands for it live in link-admin.ts. */
export const relayFeature: Feature = {
  name: "relay",
  migrations: messageMapMigrations,
  async init(app) {
    const relay = new Relay(app);
    await relay.init();
    app.services.set("relay", relay);
  },
  async start(app) {
    const state: PruneState = { stopped: false };
    app.services.set("relay-prune", state);
    void pruneLoop(app, state);
  },
  async stop(app) {
    const state = app.services.get("relay-prune") as PruneState | undefined;
    if (state) {
      state.stopped = true;
      state.sleeping?.cancel();
    }
  },
  async onEvent(event, app) {
    await (app.services.get("relay") as Relay | undefined)?.onEvent(event);
  },
};

/** Forgets old message-map entries and delivered outbox rows, a few times a day. */
async function pruneLoop(app: AppContext, state: PruneState): Promise<void> {
  const keep = parseDuration(app.config.relay.retention) ?? 30 * 86_400_000;
  while (!state.stopped) {
    try {
      const cutoff = app.clock.now() - keep;
      const r = app.services.get("relay") as Relay;
      const messages = await r.map.prune(cutoff);
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
