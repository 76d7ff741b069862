/**
 * The IRC account's connection: connects, gives up on a server that accepts the socket but never welcomes crier,
 * and reconnects forever with crier's backoff (irc-framework's own reconnect gives up after a few tries, so it is
 * off). Refused, DNS failure, TLS error: each is one failed attempt, recorded for /healthz and `!status`.
 */
import type { AdapterDeps, ConnectionState } from "../../core/adapter.js";
import { type AccountStatus, ConnectionTracker, Reconnector } from "../../core/connection.js";
import type { IrcConfig } from "./config.js";
import { clientOptions } from "./options.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types.
type IrcClient = any;

// A server that accepts the connection but never welcomes crier is given up on, and tried again later.
const REGISTER_TIMEOUT_MS = 30_000;

export interface IrcConnectionEvents {
  up(reconnect: boolean): void;
  /** The connection is gone (whatever its state was); `stopping` when crier itself ended it. */
  down(wasConnected: boolean, stopping: boolean): void;
}

export class IrcConnection {
  private readonly tracker = new ConnectionTracker();
  // At most about half a minute between tries: a server restart is over quickly, and networks allow that pace.
  private readonly reconnector = new Reconnector({ maxMs: 30_000 });
  private registerTimer: NodeJS.Timeout | undefined;
  private lastError: unknown;
  private everConnected = false;
  private stopped = false;
  private firstOutcome: (() => void) | undefined;

  constructor(
    private readonly account: string,
    private readonly client: IrcClient,
    private readonly config: IrcConfig,
    private readonly deps: AdapterDeps,
    private readonly on: IrcConnectionEvents,
  ) {
    client.on("registered", () => this.onRegistered());
    client.on("close", () => this.onClose());
    client.on("socket error", (err: Error) => {
      this.lastError = err;
      deps.log.warn({ error: err.message }, "IRC socket error");
    });
    // The socket's own error (refused, DNS, TLS) comes with its close.
    client.on("socket close", (err: unknown) => {
      if (err instanceof Error) this.lastError ??= err;
    });
  }

  get state(): ConnectionState {
    return this.tracker.state;
  }

  status(): AccountStatus {
    return this.tracker.snapshot();
  }

  /** Connects; resolves at the first welcome or the first failure, never later than `waitMs`. */
  async start(waitMs: number): Promise<void> {
    this.stopped = false;
    const outcome = new Promise<void>((resolve) => {
      this.firstOutcome = resolve;
    });
    this.connect();
    await Promise.race([outcome, new Promise((r) => setTimeout(r, waitMs).unref())]);
    this.firstOutcome = undefined;
  }

  /** Says QUIT and waits for the close (at most a second); a socket still connecting is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnector.cancel();
    clearTimeout(this.registerTimer);
    if (this.tracker.state !== "disconnected") {
      const closed = new Promise<void>((r) => this.client.once("close", () => r()));
      try {
        this.client.quit("crier stopping");
      } catch {
        // already gone
      }
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1_000).unref())]);
      this.client.connection?.end?.();
    }
    this.tracker.set("disconnected");
  }

  private connect(): void {
    if (this.stopped) return;
    this.tracker.set("connecting");
    this.lastError = undefined;
    const c = this.config;
    const attempt = this.tracker.snapshot().failures + 1;
    this.deps.log.info({ host: c.host, port: c.port, tls: c.tls, attempt }, "IRC connecting");
    clearTimeout(this.registerTimer);
    this.registerTimer = setTimeout(() => {
      this.lastError = new Error(`no welcome from ${c.host}:${c.port} within ${REGISTER_TIMEOUT_MS / 1000} s`);
      // Ends the socket as an error: irc-framework then emits "close", which schedules the next try.
      this.client.connection?.end?.(null, true);
    }, REGISTER_TIMEOUT_MS);
    this.registerTimer.unref();
    try {
      this.client.connect(clientOptions(c));
    } catch (err) {
      this.lastError = err;
      this.onClose();
    }
  }

  private onRegistered(): void {
    clearTimeout(this.registerTimer);
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.reconnector.reset();
    this.tracker.set("connected");
    this.on.up(reconnect);
    this.firstOutcome?.();
  }

  private onClose(): void {
    clearTimeout(this.registerTimer);
    const was = this.tracker.state;
    this.on.down(was === "connected", this.stopped);
    if (this.stopped) {
      this.tracker.set("disconnected");
      return;
    }
    if (was === "connected") this.deps.log.warn("IRC disconnected");
    this.deps.metrics?.inc("crier_reconnects_total", "reconnect attempts per account", { account: this.account });
    const error = this.lastError ?? new Error(was === "connected" ? "connection closed" : "connection refused");
    this.lastError = undefined;
    const delay = this.reconnector.schedule(() => this.connect());
    this.tracker.failed(error, delay);
    this.firstOutcome?.();
    this.deps.log.info({ inMs: Math.round(delay), failures: this.tracker.snapshot().failures }, "IRC reconnecting");
  }
}
