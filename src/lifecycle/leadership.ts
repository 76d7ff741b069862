/**
 * Active or standby, for instances sharing one PostgreSQL store. Exactly one instance holds the lease
 * (src/store/lease.ts) and is active: it runs the adapters, the scheduler, the pollers and delivery. The others are
 * standby: they poll for an expired lease every `pollMs` and take it over (term + 1), then promote themselves.
 *
 * The holder renews every `renewMs`. It also keeps a local deadline on its own monotonic clock — the instant the
 * last successful renewal was *sent* plus the TTL, less a margin — which ends before the database's expiry can. Past
 * that deadline (renewals failing, the process paused, the event loop stalled) `holds()` is false at once, before
 * any I/O; the lease is then considered lost and the instance demotes itself: it stops its adapters and becomes a
 * standby again. A fenced transaction that finds another term (FencedError) demotes it the same way.
 */
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import type { Config } from "../config/schema.js";
import { parseDuration } from "../core/duration.js";
import type { Logger } from "../core/log.js";
import { type Fence, FencedError, type RoleStatus } from "../store/fence.js";
import { checkTerm, Lease } from "../store/lease.js";
import type { Queryable, Store } from "../store/store.js";

export interface LeadershipOptions {
  /** This instance's name, shown as the lease holder. */
  instance: string;
  ttlMs: number;
  /** How often the holder renews (a third of the TTL or less). */
  renewMs: number;
  /** How often a standby looks for an expired lease. */
  pollMs: number;
}

export interface RoleHooks {
  /** This instance won the lease: start everything that acts. */
  promote(term: number): Promise<void>;
  /** The lease is lost or being given up: stop everything that acts (bounded). */
  demote(reason: string): Promise<void>;
}

/** Local safety margin under the TTL: covers clock-rate differences and the renewal's own latency. */
const MARGIN_FRACTION = 0.2;

export function defaultInstanceName(): string {
  return `${hostname()}:${process.pid}`;
}

/** The leadership of an instance as its config says; `leaseStore` is a connection of the shared store's own. */
export function leadershipFor(config: Config["store"], leaseStore: Store, log: Logger): Leadership {
  const ttlMs = parseDuration(config.leaseTtl ?? "10s") ?? 10_000;
  const instance = config.instance ?? defaultInstanceName();
  const opts = { instance, ttlMs, renewMs: ttlMs / 4, pollMs: Math.min(1_000, ttlMs / 4) };
  return new Leadership(new Lease(leaseStore), opts, log.child({ part: "lease" }));
}

export class Leadership implements Fence {
  private role: "active" | "standby" = "standby";
  private term: number | null = null;
  private seen: { term: number; holder: string } | undefined;
  private deadline = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private wakeLoop: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  /** Promotions and demotions run one after the other, never overlapping. */
  private transitions: Promise<void> = Promise.resolve();
  private hooks: RoleHooks = { promote: async () => undefined, demote: async () => undefined };

  constructor(
    private readonly lease: Lease,
    private readonly opts: LeadershipOptions,
    private readonly log: Logger,
  ) {}

  setHooks(hooks: RoleHooks): void {
    this.hooks = hooks;
  }

  status(): RoleStatus {
    const active = this.role === "active";
    return {
      role: this.role,
      instance: this.opts.instance,
      term: active ? this.term : (this.seen?.term ?? null),
      leader: active ? this.opts.instance : (this.seen?.holder ?? null),
    };
  }

  holds(): boolean {
    return this.role === "active" && performance.now() < this.deadline;
  }

  async check(tx: Queryable): Promise<void> {
    const term = this.term;
    if (!this.holds() || term === null) throw new FencedError("this instance does not hold the lease");
    try {
      await checkTerm(tx, term);
    } catch (err) {
      if (err instanceof FencedError) this.lose(err.message);
      throw err;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops competing and waits for a transition under way; `release()` afterwards lets the lease go. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeLoop?.();
    await this.loopDone;
    await this.transitions;
  }

  /** After the acting parts stopped (a clean stop): gives the lease up, so a standby takes over at once; closes. */
  async release(): Promise<void> {
    const { term } = this;
    const was = this.role;
    this.role = "standby";
    this.term = null;
    clearTimeout(this.deadlineTimer);
    try {
      if (was === "active" && term !== null) {
        await this.lease.release(this.opts.instance, term);
        this.log.info({ term }, "lease released");
      }
    } catch (err) {
      this.log.warn({ err, term }, "could not release the lease; a standby takes over when it expires");
    } finally {
      await this.lease.close().catch(() => undefined);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      // A standby competes again only once its demotion is done; the holder renews even while it is promoting.
      if (this.role === "standby") await this.transitions;
      if (!this.running) break;
      try {
        if (this.role === "active") await this.renew();
        else await this.tryAcquire();
      } catch (err) {
        this.log.warn({ err, role: this.role }, "lease: the database did not answer; trying again");
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wakeLoop = resolve;
        this.timer = setTimeout(resolve, this.role === "active" ? this.opts.renewMs : this.opts.pollMs);
      });
      clearTimeout(this.timer);
    }
  }

  private async tryAcquire(): Promise<void> {
    const sentAt = performance.now();
    const term = await this.lease.acquire(this.opts.instance, this.opts.ttlMs);
    if (term === undefined) {
      const row = await this.lease.current();
      if (row && (row.term !== this.seen?.term || row.holder !== this.seen.holder))
        this.log.info({ leader: row.holder, term: row.term }, "standby: another instance is active");
      if (row) this.seen = { term: row.term, holder: row.holder };
      return;
    }
    this.term = term;
    this.seen = { term, holder: this.opts.instance };
    this.role = "active";
    this.extend(sentAt);
    this.log.info({ term }, "lease taken: this instance is now active");
    // A promotion that fails half-way leaves nothing half-active: the instance stands down and competes again.
    this.transition(() =>
      this.hooks.promote(term).catch((err) => {
        this.log.error({ err, term }, "could not start acting; standing down");
        this.lose(`starting failed: ${(err as Error).message ?? String(err)}`);
      }),
    );
  }

  private async renew(): Promise<void> {
    const term = this.term;
    if (term === null) return;
    const sentAt = performance.now();
    const ok = await this.lease.renew(this.opts.instance, term, this.opts.ttlMs);
    if (this.role !== "active" || this.term !== term) return;
    if (ok) this.extend(sentAt);
    else this.lose(`the lease of term ${term} was taken over or had expired`);
  }

  /** The local deadline from a renewal sent at `sentAt`, and a timer that demotes when it passes unrenewed. */
  private extend(sentAt: number): void {
    this.deadline = sentAt + this.opts.ttlMs * (1 - MARGIN_FRACTION);
    this.armDeadline();
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    // Timers keep whole milliseconds and may fire a fraction early: re-armed until the deadline has truly passed.
    this.deadlineTimer = setTimeout(
      () => {
        if (this.role !== "active") return;
        if (performance.now() >= this.deadline) this.lose("the lease could not be renewed in time");
        else this.armDeadline();
      },
      Math.max(1, Math.ceil(this.deadline - performance.now())),
    );
    this.deadlineTimer.unref();
  }

  /** The lease is gone (or may be): stop acting now; the loop goes on as a standby once the demotion is done. */
  private lose(reason: string): void {
    if (this.role !== "active") return;
    const term = this.term;
    this.role = "standby";
    this.term = null;
    clearTimeout(this.deadlineTimer);
    this.log.warn({ term, reason }, "lease lost: this instance stops acting and becomes a standby");
    this.transition(() => this.hooks.demote(reason));
    this.wakeLoop?.();
  }

  private transition(step: () => Promise<void>): void {
    this.transitions = this.transitions.then(step).catch((err) => this.log.error({ err }, "role change failed"));
  }
}
