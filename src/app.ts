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
import { InstanceLock } from "./store/instance-lock.js";
import { migrate } from "./store/migrate.js";
import { PostgresStore } from "./store/postgres.js";
import { SqliteStore } from "./store/sqlite.js";
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
}

export function resolveStateDir(cliDir: string | undefined, config: Config): string {
  const dir =
    cliDir ?? config.stateDir ?? (process.env.XDG_STATE_HOME ? join(process.env.XDG_STATE_HOME, "crier") : "./data");
  return isAbsolute(dir) ? dir : resolve(dir);
}

export function openStore(config: Config, stateDir: string): Store {
  if (config.store.kind === "postgres") return new PostgresStore(config.store.url!, config.store.schema);
  return new SqliteStore(isAbsolute(config.store.file) ? config.store.file : join(stateDir, config.store.file));
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
  private started = false;

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
        if (ids.some((id) => config.admins.includes(id)) || config.admins.includes(userKey(user))) return true;
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
        for (const room of expandTargets(config, config.adminRooms))
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
      store = openStore(opts.config, stateDir);
      const features = buildFeatures();
      const all = [...features.all, ...(opts.extraFeatures ?? [])];
      await migrate(store, [
        ...coreMigrations,
        ...Object.values(platforms).flatMap((p) => p.migrations ?? []),
        ...all.flatMap((f) => f.migrations ?? []),
      ]);
      const app = new App(opts, store, stateDir, lock, features, all);
      for (const [account, accountConfig] of Object.entries(opts.config.accounts)) {
        let adapter = opts.makeAdapter?.(account, accountConfig);
        if (!adapter) {
          const platform = await platforms[platformOf(account)].load();
          adapter = platform.create(account, accountConfig, {
            log: opts.log.child({ account }),
            store,
            publicUrl: opts.config.http.publicUrl,
            admins: opts.config.admins,
            commands: app.ctx.commands.all,
            metrics: app.ctx.metrics,
          });
        }
        app.ctx.adapters.set(account, adapter);
      }
      for (const f of app.all) await f.init?.(app.ctx);
      return app;
    } catch (err) {
      await store?.close().catch(() => undefined);
      lock.release();
      throw err;
    }
  }

  async start(): Promise<void> {
    const { log, adapters, outbox } = this.ctx;
    this.loopWatch.start();
    for (const adapter of adapters.values()) {
      log.info({ account: adapter.account }, "connecting");
      await adapter.start((event, responder) => void this.dispatcher.handle(event, responder));
      outbox.attach(adapter);
    }
    for (const f of this.all) await f.start?.(this.ctx);
    this.started = true;
    log.info({ accounts: [...adapters.keys()], stateDir: this.ctx.stateDir }, "crier started");
  }

  /** Graceful stop: stop accepting, let in-flight sends finish (bounded), close adapters and the store. */
  async stop(): Promise<void> {
    const { log, adapters, outbox, store } = this.ctx;
    for (const f of [...this.all].reverse())
      await f.stop?.(this.ctx).catch((err) => log.error({ err, feature: f.name }, "feature stop failed"));
    await outbox.stop();
    await Promise.all(
      [...adapters.values()].map((a) =>
        a.stop().catch((err) => log.error({ err, account: a.account }, "adapter stop failed")),
      ),
    );
    await store.close();
    this.loopWatch.stop();
    this.lock.release();
    if (this.started) log.info("crier stopped");
    this.started = false;
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
