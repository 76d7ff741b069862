import type { AppContext, Feature } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { messageMapMigrations } from "../relay/message-map.js";
import { Relay } from "../relay/relay.js";

const PRUNE_EVERY_MS = 6 * 3_600_000;

let relay: Relay | undefined;
let pruning: ReturnType<AppContext["clock"]["sleep"]> | undefined;
let stopped = false;

/** The relay between linked rooms; admin commands for it live in link-admin.ts. */
export const relayFeature: Feature = {
  name: "relay",
  migrations: messageMapMigrations,
  async init(app) {
    relay = new Relay(app);
    await relay.init();
    app.services.set("relay", relay);
  },
  async start(app) {
    stopped = false;
    void pruneLoop(app);
  },
  async stop() {
    stopped = true;
    pruning?.cancel();
  },
  async onEvent(event, app) {
    await (app.services.get("relay") as Relay | undefined)?.onEvent(event);
  },
};

/** Forgets old message-map entries and delivered outbox rows, a few times a day. */
async function pruneLoop(app: AppContext): Promise<void> {
  const keep = parseDuration(app.config.relay.retention) ?? 30 * 86_400_000;
  while (!stopped) {
    try {
      const cutoff = app.clock.now() - keep;
      const r = app.services.get("relay") as Relay;
      const messages = await r.map.prune(cutoff);
      const rows = await app.outbox.prune(keep);
      if (messages || rows) app.log.info({ messages, outboxRows: rows }, "pruned relay history");
    } catch (err) {
      app.log.warn({ err }, "relay prune failed");
    }
    pruning = app.clock.sleep(PRUNE_EVERY_MS);
    await pruning.done;
  }
}
