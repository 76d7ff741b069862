/**
 * The Discord account's connection: login retried forever with crier's backoff when Discord cannot be reached (DNS,
 * refused, 5xx), gateway drops followed through discord.js's own reconnects, and a token Discord calls invalid
 * (TokenInvalid, close code 4004) reported as fatal — only the operator can fix that.
 */
import type { Client } from "discord.js";
import type { AdapterDeps, ConnectionState } from "../../core/adapter.js";
import { type AccountStatus, ConnectionTracker, Reconnector } from "../../core/connection.js";

const INVALID_TOKEN_CLOSE = 4004;

export class DiscordConnection {
  private readonly tracker = new ConnectionTracker();
  private readonly reconnector = new Reconnector({ maxMs: 60_000 });
  private stopped = false;
  private firstOutcome: (() => void) | undefined;

  constructor(
    private readonly account: string,
    private readonly client: Client,
    private readonly token: string,
    private readonly deps: AdapterDeps,
  ) {
    client.on("shardResume", () => {
      this.tracker.set("connected");
      deps.log.info("Discord resumed");
    });
    client.on("shardDisconnect", (event) => {
      if (this.stopped) return;
      if (event?.code === INVALID_TOKEN_CLOSE) return this.invalidToken(new Error("Discord closed with 4004"));
      this.tracker.failed(new Error(`gateway closed (${event?.code ?? "no code"})`));
      deps.log.warn("Discord disconnected");
    });
    client.on("shardReconnecting", () => {
      this.tracker.set("connecting");
      deps.metrics?.inc("crier_reconnects_total", "reconnect attempts per account", { account });
    });
    client.on("shardError", (err) => {
      this.tracker.failed(err);
      this.tracker.set("connecting");
    });
  }

  get state(): ConnectionState {
    return this.tracker.state;
  }

  status(): AccountStatus {
    return this.tracker.snapshot();
  }

  /** The gateway said READY (a new session). */
  ready(): void {
    this.reconnector.reset();
    this.tracker.set("connected");
    this.firstOutcome?.();
  }

  /** Starts logging in; resolves at the first ready or first failure, never later than `waitMs`. */
  async start(waitMs: number): Promise<void> {
    this.stopped = false;
    const outcome = new Promise<void>((resolve) => {
      this.firstOutcome = resolve;
    });
    void this.login();
    await Promise.race([outcome, new Promise((r) => setTimeout(r, waitMs).unref())]);
    this.firstOutcome = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnector.cancel();
    this.tracker.set("disconnected");
    await this.client.destroy();
  }

  private async login(): Promise<void> {
    if (this.stopped) return;
    this.tracker.set("connecting");
    try {
      await this.client.login(this.token);
    } catch (err) {
      if (this.stopped) return;
      if ((err as { code?: string }).code === "TokenInvalid") return this.invalidToken(err);
      const delay = this.reconnector.schedule(() => void this.login());
      this.tracker.failed(err, delay);
      this.deps.log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, "Discord login failed");
      this.deps.metrics?.inc("crier_reconnects_total", "reconnect attempts per account", { account: this.account });
      this.firstOutcome?.();
    }
  }

  private invalidToken(err: unknown): void {
    this.tracker.failed(err);
    this.firstOutcome?.();
    this.deps.fatal?.(`Discord account ${this.account}: Discord says the token is invalid; set a valid token`);
  }
}
