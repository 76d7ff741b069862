/**
 * One account's connection, as health checks and `!status` report it: its state, since when, the last error and
 * when the next try is due. Adapters keep one ConnectionTracker each and retry through a Reconnector, the single
 * backoff policy of crier (core/backoff.ts: capped exponential with jitter), forever — a network problem degrades one
 * account, it never ends the daemon.
 */
import type { ConnectionState } from "./adapter.js";
import { type BackoffPolicy, type RandomSource, backoffDelay } from "./backoff.js";
import { scrubSecrets } from "./log.js";

export interface AccountStatus {
  state: ConnectionState;
  /** Epoch ms of the last change of state. */
  since: number;
  lastError?: string;
  lastErrorAt?: number;
  /** Epoch ms when the next connection attempt is due, while one is scheduled. */
  nextRetryAt?: number;
  /** Failed attempts since the last success. */
  failures: number;
}

/** Error texts are shown to admins and on /healthz: one line, no secrets, bounded. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return scrubSecrets(text.replace(/\s+/g, " ").trim()).slice(0, 300) || "unknown error";
}

export class ConnectionTracker {
  private current: AccountStatus;

  constructor(private readonly now: () => number = Date.now) {
    this.current = { state: "disconnected", since: now(), failures: 0 };
  }

  get state(): ConnectionState {
    return this.current.state;
  }

  set(state: ConnectionState): void {
    if (state === this.current.state) return;
    this.current = { ...this.current, state, since: this.now() };
    if (state === "connected") this.current = { ...this.current, failures: 0, nextRetryAt: undefined };
    if (state === "connecting") this.current = { ...this.current, nextRetryAt: undefined };
  }

  /** A failed attempt or a lost connection; `retryInMs` when the next attempt is already scheduled. */
  failed(err: unknown, retryInMs?: number): void {
    const at = this.now();
    this.set("disconnected");
    this.current = {
      ...this.current,
      lastError: describeError(err),
      lastErrorAt: at,
      failures: this.current.failures + 1,
      nextRetryAt: retryInMs === undefined ? undefined : at + retryInMs,
    };
  }

  /** Records when the next attempt is due (a library that reconnects on its own says only that it will). */
  retryAt(at: number | undefined): void {
    this.current = { ...this.current, nextRetryAt: at };
  }

  snapshot(): AccountStatus {
    return { ...this.current };
  }
}

export interface ReconnectOptions {
  initialMs?: number;
  maxMs?: number;
  /** For tests: a fixed sequence instead of Math.random. */
  random?: RandomSource;
}

/**
 * Delays between connection attempts: 1 s doubling to a cap (default 30 s), each drawn from [d/2, d) so that many
 * clients cut off together do not come back in step. The timer is unref'd: the daemon keeps itself alive (see
 * src/cli/daemon.ts), a pending retry must not keep a finished test or command alive.
 */
export class Reconnector {
  private readonly policy: BackoffPolicy;
  private readonly random: RandomSource | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: ReconnectOptions = {}) {
    this.policy = { initialMs: opts.initialMs ?? 1_000, maxMs: opts.maxMs ?? 30_000, jitter: "half" };
    this.random = opts.random;
  }

  /** The next delay in the sequence (it grows until `reset`). */
  nextDelay(): number {
    return backoffDelay(this.policy, this.failures++, this.random);
  }

  /** Runs `attempt` after the next delay; returns that delay. A pending attempt is replaced. */
  schedule(attempt: () => void): number {
    const delay = this.nextDelay();
    this.cancel();
    this.timer = setTimeout(attempt, delay);
    this.timer.unref();
    return delay;
  }

  /** After a success: the next failure starts from the shortest delay again. */
  reset(): void {
    this.failures = 0;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
