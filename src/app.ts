/** Wires config → store → services → adapters → features, and takes them down again in reverse. */
import { randomUUID } from "node:crypto";
import { isAbsolute, join, resolve } from "node:path";
import { platformOf, platforms } from "./adapters/index.js";
import type { Config } from "./config/schema.js";
import type { Adapter } from "./core/adapter.js";
import { CommandRegistry } from "./core/commands.js";
import { parseDuration } from "./core/duration.js";
import type { AppContext, Feature } from "./core/context.js";
import { Dispatcher } from "./services/dispatch.js";
import type { Logger } from "./core/log.js";
import { type RoomRef, type UserRef, userKey } from "./core/model.js";
import { fromPlain, type RichText } from "./core/richtext.js";
import { expandTargets } from "./core/targets.js";
import { Outbox, outboxMigrations } from "./delivery/outbox.js";
import { buildFeatures, type Features } from "./features/index.js";
import { type Clock, SystemClock } from "./services/clock.js";
import { Identity, identityMigrations } from "./services/identity.js";
import { EventLoopWatch } from "./services/event-loop.js";
import { registerCoreMetrics } from "./services/core-metrics.js";
import { Metrics } from "./services/metrics.js";
import { pasteMigrations } from "./services/pastes.js";
import { bounded, STEP_MS } from "./lifecycle/bounded.js";
import { defaultInstanceName, type Leadership, leadershipFor } from "./lifecycle/leadership.js";
import { applyConfig, type ReloadOutcome, type ReloadTarget, reloadFromFile } from "./reload.js";
import { unfenced } from "./store/fence.js";
import { InstanceLock } from "./store/instance-lock.js";
import { leaseMigrations } from "./store/lease.js";
import { migrate } from "./store/migrate.js";
import { openStore } from "./store/open.js";
import type { Migration, Store } from "./store/store.js";

export interface AppOptions {
  config: Config;
  log: Logger;
  stateDir?: string;
  clock?: Clock;
  /** The networks' time for the adapters (AdapterDeps.clock); the wall clock unless a test passes its own. */
  networkClock?: Clock;
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
  ...leaseMigrations,
  {
    id: "core/1-admin-warnings",
    sql: "CREATE TABLE admin_warnings (key TEXT PRIMARY KEY, text TEXT NOT NULL, at BIGINT NOT NULL)",
  },
];

/** Every migration crier applies, in order: the core's, each platform's, each feature's. */
export function allMigrations(features: Feature[]): Migration[] {
  const platformMigrations = Object.values(platforms).flatMap((p) => p.migrations ?? []);
  return [...coreMigrations, ...platformMigrations, ...features.flatMap((f) => f.migrations ?? [])];
}

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
  /** With a PostgreSQL store: the lease; this instance acts only while it holds it. Without: always active. */
  private readonly leadership: Leadership | undefined;
  private readonly networkClock: Clock;
  private active = false;
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
    leadership: Leadership | undefined,
  ) {
    const { config, log } = opts;
    this.networkClock = opts.networkClock ?? new SystemClock();
    const clock = opts.clock ?? new SystemClock();
    this.features = features;
    this.all = all;
    this.lock = lock;
    this.leadership = leadership;
    this.opts = opts;
    this.admins = [...config.admins];
    const commands = new CommandRegistry(config.commands.prefix);
    for (const f of all) for (const c of f.commands ?? []) commands.add(c);
    const fence = leadership ?? unfenced;
    const policy = {
      roomsInParallel: config.delivery.roomsInParallel,
      parkAfterAttempts: config.delivery.parkAfterAttempts,
      parkAfterMs: parseDuration(config.delivery.parkAfter) ?? 600_000,
      combineAfter: config.delivery.combineAfter,
    };
    const outbox = new Outbox(store, clock, log.child({ part: "outbox" }), policy, fence);
    const instance = config.store.instance ?? defaultInstanceName();
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
      fence,
      role: () => leadership?.status() ?? { role: "active", instance, term: null, leader: instance },
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
      await migrate(store, allMigrations(all));
      // A store that can open a connection of its own for the lease is a shared one (PostgreSQL): leadership applies.
      const lease = store.dedicated?.();
      const leadership = lease ? leadershipFor(opts.config.store, lease, opts.log) : undefined;
      const app = new App(opts, store, stateDir, lock, features, all, leadership);
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
      clock: this.networkClock,
      publicUrl: this.ctx.config.http.publicUrl,
      stateDir: this.ctx.stateDir,
      admins: this.admins,
      commands: this.ctx.commands.all,
      metrics: this.ctx.metrics,
      fatal: (reason) => this.opts.onFatal?.(reason),
      mayAct: () => this.ctx.fence.holds(),
    });
  }

  /**
   * Starts what also runs on a standby (the web pages), then — at once with SQLite, once the lease is won with
   * PostgreSQL — everything that acts (see activate).
   */
  async start(): Promise<void> {
    this.loopWatch.start();
    this.started = true;
    for (const f of this.all) if (f.standby) await f.start?.(this.ctx);
    if (!this.leadership) return this.activate(false);
    this.leadership.setHooks({ promote: () => this.activate(true), demote: (why) => this.standDown(why) });
    this.leadership.start();
    const { instance } = this.ctx.role();
    this.ctx.log.info({ instance, stateDir: this.ctx.stateDir }, "crier started as a standby; waiting for the lease");
  }

  /** Connects every account at once (one whose network is down goes on trying), then starts the acting features. */
  private async activate(reinit: boolean): Promise<void> {
    const { log, adapters } = this.ctx;
    this.active = true;
    // A standby's view of the store is as old as its start: the features load it afresh before acting on it.
    if (reinit) for (const f of this.all) if (!f.standby) await f.init?.(this.ctx);
    await Promise.all([...adapters.values()].map((a) => this.startAdapter(a)));
    for (const f of this.all) if (!f.standby) await f.start?.(this.ctx);
    const { instance, term } = this.ctx.role();
    log.info({ accounts: [...adapters.keys()], stateDir: this.ctx.stateDir, instance, term }, "crier started");
  }

  /** The lease is lost: stops everything that acts (bounded) and waits, a standby, for the next promotion. */
  private async standDown(reason: string): Promise<void> {
    if (!this.active) return;
    this.active = false;
    const { log, adapters } = this.ctx;
    for (const f of [...this.all].reverse())
      if (!f.standby) await bounded(f.stop?.(this.ctx), STEP_MS, "feature stop", log, { feature: f.name });
    await Promise.all([...adapters.values()].map((a) => this.stopAdapter(a)));
    // A stopped adapter does not start twice: fresh ones wait for the next promotion.
    const accounts = this.ctx.config.accounts as Record<string, unknown>;
    for (const account of [...adapters.keys()])
      adapters.set(account, await this.buildAdapter(account, accounts[account]));
    log.warn({ reason }, "standing by: accounts disconnected; nothing is sent until this instance holds the lease");
  }

  async startAdapter(adapter: Adapter): Promise<void> {
    this.ctx.log.info({ account: adapter.account }, "connecting");
    try {
      await adapter.start((event, responder) => this.dispatcher.handle(event, responder));
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
      // A standby applies the config but starts nothing that acts; its next promotion starts what the config says.
      features: this.active ? this.all : this.all.filter((f) => f.standby),
      admins: this.admins,
      dispatcher: this.dispatcher,
      buildAdapter: (account, cfg) => this.buildAdapter(account, cfg),
      startAdapter: (a) => (this.active ? this.startAdapter(a) : Promise.resolve()),
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
    await bounded(this.leadership?.stop(), STEP_MS / 2, "leadership stop", log);
    const features = async () => {
      for (const f of [...this.all].reverse())
        await bounded(f.stop?.(this.ctx), STEP_MS, "feature stop", log, { feature: f.name });
    };
    await bounded(features(), 1.5 * STEP_MS, "stopping features", log);
    await bounded(outbox.stop(), STEP_MS, "outbox stop", log);
    await Promise.all(
      [...adapters.values()].map((a) => bounded(a.stop(), STEP_MS, "adapter stop", log, { account: a.account })),
    );
    // Only now, with nothing left that acts, may a standby take over at once.
    await bounded(this.leadership?.release(), STEP_MS / 2, "lease release", log);
    await bounded(store.close(), STEP_MS, "store close", log);
    this.loopWatch.stop();
    this.lock.release();
    if (this.started) log.info("crier stopped");
    this.started = false;
  }
}
