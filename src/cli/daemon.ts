/**
 * How the crier process behaves as a daemon, in one place:
 * - it keeps itself alive explicitly from the first moment (an interval), so nothing depends on which of its timers
 *   happen to be ref'd — a network that is down at start leaves crier waiting, not exiting;
 * - SIGINT/SIGTERM stop it cleanly within STOP_DEADLINE_MS whatever the adapters are doing; a second signal exits at
 *   once; SIGHUP reloads the config;
 * - a closed stdout or stderr (EPIPE) never hangs or crashes it: console output and logging stop, crier goes on;
 * - errors nothing caught: an unhandledRejection is logged with a ref and crier goes on (one failed task); an
 *   uncaughtException is logged with a ref and crier goes on too, unless UNCAUGHT_LIMIT of them come within a
 *   minute — then its state is not to be trusted and it stops cleanly with EXIT_SOFTWARE, for the supervisor to
 *   restart it (state is durable: the outbox resends what was in flight).
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../core/log.js";

export const STOP_DEADLINE_MS = 10_000;
export const EXIT_SOFTWARE = 70;
/** A problem only the operator can fix (the platform refused a token): do not restart in a loop. */
export const EXIT_CONFIG = 78;
const UNCAUGHT_LIMIT = 10;

export interface DaemonHooks {
  stop(): Promise<void>;
  reload(): Promise<void>;
}

export class Daemon {
  private readonly keepAlive = setInterval(() => undefined, 1 << 30);
  private stopping = false;
  private log: Logger | undefined;
  private hooks: DaemonHooks | undefined;
  private readonly uncaught: number[] = [];

  constructor() {
    // EPIPE and friends on the standard streams: the reader is gone; output is dropped from now on.
    for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
    process.on("SIGINT", () => this.signal("SIGINT"));
    process.on("SIGTERM", () => this.signal("SIGTERM"));
    process.on("SIGHUP", () => {
      if (this.stopping || !this.hooks) return;
      this.hooks.reload().catch((err) => this.log?.error({ err }, "reload failed"));
    });
    process.on("unhandledRejection", (err) => this.bug("unhandled rejection", err));
    process.on("uncaughtException", (err) => {
      if (isClosedOutput(err)) return;
      this.bug("uncaught exception", err);
      const now = Date.now();
      this.uncaught.push(now);
      while (this.uncaught[0] < now - 60_000) this.uncaught.shift();
      if (this.uncaught.length >= UNCAUGHT_LIMIT) this.exitAfterStop(EXIT_SOFTWARE, "too many uncaught exceptions");
    });
  }

  /** Once crier runs: what a signal stops or reloads. Signals before that exit at once. */
  running(log: Logger, hooks: DaemonHooks): void {
    this.log = log;
    this.hooks = hooks;
  }

  setLogger(log: Logger): void {
    this.log = log;
  }

  /** Stops (bounded) and exits with `code`; used for signals and for fatal problems found while running. */
  exitAfterStop(code: number, reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log?.info({ reason }, "stopping");
    clearInterval(this.keepAlive);
    const force = setTimeout(() => {
      this.log?.error({ deadlineMs: STOP_DEADLINE_MS }, "stop took too long; exiting anyway");
      process.exit(code || 1);
    }, STOP_DEADLINE_MS);
    force.unref();
    const stop = this.hooks?.stop() ?? Promise.resolve();
    stop
      .then(() => process.exit(code))
      .catch((err) => {
        this.log?.error({ err }, "stop failed");
        process.exit(code || 1);
      });
  }

  private signal(name: "SIGINT" | "SIGTERM"): void {
    if (this.stopping || !this.hooks) {
      // The second signal (or one before crier runs): the operator wants it gone now.
      process.exit(name === "SIGINT" ? 130 : 143);
    }
    this.exitAfterStop(0, name);
  }

  private bug(what: string, err: unknown): void {
    const ref = randomBytes(3).toString("hex");
    this.log?.error({ err, ref }, `${what} (a bug; ref ${ref})`);
  }
}

function isClosedOutput(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}
