/** Wires config → store → services → adapters → features, and takes them down again in reverse. */
import { randomUUID } from "node:crypto";
import { isAbsolute, join, resolve } from "node:path";
import { platformOf, platforms } from "./adapters/index.js";
import type { Config } from "./config/schema.js";
import type { Adapter } from "./core/adapter.js";
import { CommandRegistry } from "./core/commands.js";
import { parseDuration } from "./core/duration.js";
import type { AppContext, Feature } from "./core/context.js";
import { Dispatcher } from "./core/dispatch.js";
import type { Logger } from "./core/log.js";
import { type RoomRef, type UserRef, userKey } from "./core/model.js";
import { fromPlain, type RichText } from "./core/richtext.js";
import { expandTargets } from "./core/targets.js";
import { Outbox, outboxMigrations, type QueueStatus } from "./delivery/outbox.js";
import { buildFeatures, type Features } from "./features/index.js";
import { type Clock, SystemClock } from "./services/clock.js";
import { Identity, identityMigrations } from "./services/identity.js";
import { EventLoopWatch } from "./services/event-loop.js";
import { Metrics } from "./services/metrics.js";
import { pasteMigrations } from "./services/pastes.js";
import { applyConfig, type ReloadOutcome, type ReloadTarget, reloadFromFile } from "./reload.js";
import { InstanceLock } from "./store/instance-lock.js";
import { migrate } from "./store/migrate.js";
import { openStore } from "./store/open.js";
import type { Migration, Store } from "./store/store.js";

export interface AppOptions {
  config: Config;
  log: Logger;
  stateDir?: string;
  clock?: Clock;
  /** Tests supply in-process adapters (console doubles) or adapters pointed at test servers. */
  makeAdapter?: (account: string, config: unknown) => Adapter | undefined;
  /** Features added after the built-in ones (tests). */
  extraFeatures?: Feature[];
  /** The file the config came from: SIGHUP / `crier reload` re-read it. */
  configFile?: string;
  /** A problem only the operator can fix, found while running (a refused token): the caller stops crier. */
  onFatal?: (reason: string) => void;
}

export function resolveStateDir(cliDir: string | undefined, config: Config): string {
  const dir =
    cliDir ?? config.stateDir ?? (process.env.XDG_STATE_HOME ? join(process.env.XDG_STATE_HOME, "crier") : "./data");
  return isAbsolute(dir) ? dir : resolve(dir);
}

export const coreMigrations: Migration[] = [
  ...identityMigrations,
  ...outboxMigrations,
  ...pasteMigrations,
  {
    id: "core/1-admin-warnings",
    sql: "CREATE TABLE admin_warnings (key TEXT PRIMARY KEY, text TEXT NOT NULL, at BIGINT NOT NULL)",
  },
];

export class App {
  readonly ctx: AppContext;
  readonly dispatcher: Dispatcher;
  /** The built-in features by name, for tests that drive one (the scheduler, the web port). */
  readonly features: Features;
  private readonly all: Feature[];
  private readonly lock: InstanceLock;
  private readonly loopWatch: EventLoopWatch;
  private readonly opts: AppOptions;
  /** The configured admins, one array updated in place on reload (adapters hold it). */
  private readonly admins: string[];
  private started = false;
  private stopped: Promise<void> | undefined;
  private reloads: Promise<unknown> = Promise.resolve();

  private constructor(
    opts: AppOptions,
    store: Store,
    stateDir: string,
    lock: InstanceLock,
    features: Features,
    all: Feature[],
  ) {
    const { config, log } = opts;
    const clock = opts.clock ?? new SystemClock();
    this.features = features;
    this.all = all;
    this.lock = lock;
    this.opts = opts;
    this.admins = [...config.admins];
    const commands = new CommandRegistry(config.commands.prefix);
    for (const f of all) for (const c of f.commands ?? []) commands.add(c);
    const outbox = new Outbox(store, clock, log.child({ part: "outbox" }), {
      roomsInParallel: config.delivery.roomsInParallel,
      parkAfterAttempts: config.delivery.parkAfterAttempts,
      parkAfterMs: parseDuration(config.delivery.parkAfter) ?? 600_000,
      combineAfter: config.delivery.combineAfter,
    });
    const identity = new Identity(store);
    const metrics = new Metrics();
    const adapters = new Map<string, Adapter>();
    const ctx: AppContext = {
      config,
      store,
      log,
      clock,
      stateDir,
      adapters,
      outbox,
      commands,
      identity,
      metrics,
      isAdmin: async (user: UserRef, room?: RoomRef) => {
        // An unverified id names a nick, not a person: it is never a configured admin (room operators still count).
        if (user.unverified)
          return room?.account === user.account && !!(await adapters.get(room.account)?.isRoomAdmin?.(user, room));
        const person = await identity.personId(user);
        const ids = await identity.identitiesOf(person);
        const { admins } = ctx.config;
        if (ids.some((id) => admins.includes(id)) || admins.includes(userKey(user))) return true;
        if (!room || room.account !== user.account) return false;
        const adapter = adapters.get(room.account);
        return (await adapter?.isRoomAdmin?.(user, room)) ?? false;
      },
      notify: async (room: RoomRef, body: string | RichText, key?: string) => {
        await outbox.enqueue([
          {
            account: room.account,
            message: {
              room: room.room,
              body: typeof body === "string" ? fromPlain(body) : body,
              kind: "notice",
              idempotencyKey: key ?? `notice:${randomUUID()}`,
            },
          },
        ]);
      },
      warnAdmins: async (text: string, key: string) => {
        const r = await store.run(
          "INSERT INTO admin_warnings (key, text, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
          [key, text, clock.now()],
        );
        if (!r.changes) return;
        log.warn({ key }, text);
        for (const room of expandTargets(ctx.config, ctx.config.adminRooms))
          await ctx.notify(room, `⚠ ${text}`, `warn:${key}:${room.account}/${room.room}`);
      },
    };
    outbox.setAdminWarning(
      (text, key) => void ctx.warnAdmins(text, key).catch((err) => log.error({ err }, "admin warning failed")),
    );
    this.ctx = ctx;
    registerCoreMetrics(ctx);
    this.dispatcher = new Dispatcher(ctx, all);
    this.loopWatch = new EventLoopWatch(metrics);
  }

  /** Opens the store (one instance per state directory), migrates it and builds adapters; nothing connects yet. */
  static async create(opts: AppOptions): Promise<App> {
    const stateDir = opts.stateDir ?? resolveStateDir(undefined, opts.config);
    const lock = new InstanceLock(join(stateDir, "crier.lock"));
    lock.acquire();
    let store: Store | undefined;
    try {
      store = await openStore(opts.config, stateDir);
      const features = buildFeatures();
      const all = [...features.all, ...(opts.extraFeatures ?? [])];
      await migrate(store, [
        ...coreMigrations,
        ...Object.values(platforms).flatMap((p) => p.migrations ?? []),
        ...all.flatMap((f) => f.migrations ?? []),
      ]);
      const app = new App(opts, store, stateDir, lock, features, all);
      for (const [account, accountConfig] of Object.entries(opts.config.accounts))
        app.ctx.adapters.set(account, await app.buildAdapter(account, accountConfig));
      for (const f of app.all) await f.init?.(app.ctx);
      return app;
    } catch (err) {
      await store?.close().catch(() => undefined);
      lock.release();
      throw err;
    }
  }

  /** The adapter for one configured account (not started). */
  async buildAdapter(account: string, accountConfig: unknown): Promise<Adapter> {
    const made = this.opts.makeAdapter?.(account, accountConfig);
    if (made) return made;
    const platform = await platforms[platformOf(account)].load();
    return platform.create(account, accountConfig, {
      log: this.ctx.log.child({ account }),
      store: this.ctx.store,
      publicUrl: this.ctx.config.http.publicUrl,
      admins: this.admins,
      commands: this.ctx.commands.all,
      metrics: this.ctx.metrics,
      fatal: (reason) => this.opts.onFatal?.(reason),
    });
  }

  /** Connects every account at once; an account whose network is down goes on trying in the background. */
  async start(): Promise<void> {
    const { log, adapters } = this.ctx;
    this.loopWatch.start();
    await Promise.all([...adapters.values()].map((a) => this.startAdapter(a)));
    for (const f of this.all) await f.start?.(this.ctx);
    this.started = true;
    log.info({ accounts: [...adapters.keys()], stateDir: this.ctx.stateDir }, "crier started");
  }

  async startAdapter(adapter: Adapter): Promise<void> {
    this.ctx.log.info({ account: adapter.account }, "connecting");
    try {
      await adapter.start((event, responder) => void this.dispatcher.handle(event, responder));
    } catch (err) {
      // Adapters retry by themselves; one that throws here still gets its outbox worker (it waits for "connected").
      this.ctx.log.error({ err, account: adapter.account }, "account could not start");
    }
    this.ctx.outbox.attach(adapter);
  }

  /** Stops one account (bounded): its outbox worker first, then the connection; what is pending stays queued. */
  async stopAdapter(adapter: Adapter): Promise<void> {
    await this.ctx.outbox.detach(adapter.account);
    await bounded(adapter.stop(), STEP_MS, "adapter stop", this.ctx.log, { account: adapter.account });
  }

  /** Re-reads the config file and applies it (see reload.ts); the answer is also written for `crier reload`. */
  reloadFromFile(): Promise<ReloadOutcome> {
    return this.oneReloadAtATime(() => reloadFromFile(this.reloadTarget(), this.opts.configFile));
  }

  /** Applies an already parsed config in place (see reload.ts). */
  reload(next: Config): Promise<ReloadOutcome> {
    return this.oneReloadAtATime(() => applyConfig(this.reloadTarget(), next));
  }

  private oneReloadAtATime(work: () => Promise<ReloadOutcome>): Promise<ReloadOutcome> {
    const run = this.reloads.then(work);
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private reloadTarget(): ReloadTarget {
    return {
      ctx: this.ctx,
      features: this.all,
      admins: this.admins,
      dispatcher: this.dispatcher,
      buildAdapter: (account, cfg) => this.buildAdapter(account, cfg),
      startAdapter: (a) => this.startAdapter(a),
      stopAdapter: (a) => this.stopAdapter(a),
    };
  }

  /**
   * Graceful stop, every step bounded so that it ends within the daemon's 10 s: features, the outbox (in-flight
   * sends finish or stay queued), the accounts (in parallel), the store. Calling it twice waits for the first.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    const { log, adapters, outbox, store } = this.ctx;
    const features = async () => {
      for (const f of [...this.all].reverse())
        await bounded(f.stop?.(this.ctx), STEP_MS, "feature stop", log, { feature: f.name });
    };
    await bounded(features(), 1.5 * STEP_MS, "stopping features", log);
    await bounded(outbox.stop(), STEP_MS, "outbox stop", log);
    await Promise.all(
      [...adapters.values()].map((a) => bounded(a.stop(), STEP_MS, "adapter stop", log, { account: a.account })),
    );
    await bounded(store.close(), STEP_MS, "store close", log);
    this.loopWatch.stop();
    this.lock.release();
    if (this.started) log.info("crier stopped");
    this.started = false;
  }
}

/** One stop step: at most STEP_MS, and a failure is logged, never thrown (the next steps still run). */
const STEP_MS = 2_000;

async function bounded(
  work: Promise<unknown> | undefined,
  ms: number,
  what: string,
  log: Logger,
  fields: Record<string, unknown> = {},
): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => {
    timer = setTimeout(() => r("late"), ms);
    timer.unref();
  });
  try {
    if ((await Promise.race([work, late])) === "late") log.warn({ ...fields, ms }, `${what} took too long; going on`);
  } catch (err) {
    log.error({ ...fields, err }, `${what} failed`);
  } finally {
    clearTimeout(timer);
  }
}

/** Queue depths and connection states, computed when /metrics is scraped. */
function registerCoreMetrics(ctx: AppContext): void {
  ctx.metrics.collect("crier_outbox_pending", "messages waiting to be delivered, per account", async () =>
    (await ctx.outbox.depths()).map((d) => ({ labels: { account: d.account }, value: Number(d.pending) })),
  );
  ctx.metrics.collect("crier_outbox_parked", "messages that could not be delivered and were parked", async () =>
    (await ctx.outbox.depths()).map((d) => ({ labels: { account: d.account }, value: Number(d.parked) })),
  );
  const rooms = (value: (d: QueueStatus, now: number) => number) => async () => {
    const now = ctx.clock.now();
    return (await ctx.outbox.roomDepths()).map((d) => ({
      labels: { account: d.account, room: d.room ?? "" },
      value: value(d, now),
    }));
  };
  ctx.metrics.collect(
    "crier_outbox_room_pending",
    "messages waiting to be delivered, per room",
    rooms((d) => d.pending),
  );
  ctx.metrics.collect(
    "crier_outbox_room_parked",
    "messages parked, per room",
    rooms((d) => d.parked),
  );
  ctx.metrics.collect(
    "crier_outbox_room_oldest_seconds",
    "age of the oldest message waiting, per room",
    rooms((d, now) => (d.oldest === null ? 0 : (now - d.oldest) / 1000)),
  );
  ctx.metrics.collect(
    "crier_outbox_combined_total",
    "messages that went out combined with others of their sender into one platform message",
    async () => [...ctx.outbox.combined].map(([account, value]) => ({ labels: { account }, value })),
  );
  ctx.metrics.collect("crier_account_connected", "1 when the account is connected", async () =>
    [...ctx.adapters.values()].map((a) => ({
      labels: { account: a.account },
      value: a.state() === "connected" ? 1 : 0,
    })),
  );
}
