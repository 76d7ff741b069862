/**
 * A fake Discord that unmodified discord.js connects to: REST under /api/v10 and the gateway on the same port, with
 * Discord's rules, and a control API for tests (act as a person, inspect what the bot sent, inject faults).
 */
import { createServer, type Server } from "node:http";
import { WebSocketServer } from "ws";
import { Gateway } from "./gateway.js";
import { Rest } from "./rest.js";
import { type FakeMessage, type FakeUser, snowflake, World } from "./state.js";

export class FakeDiscord {
  readonly world = new World();
  readonly token = `fake.${snowflake()}.token`;
  readonly gateway: Gateway;
  readonly rest: Rest;
  private server!: Server;
  private wss!: WebSocketServer;
  port = 0;

  constructor() {
    this.gateway = new Gateway(this.world, this.token, () => this.wsUrl);
    this.rest = new Rest(this.world, this.gateway, this.token, () => this.wsUrl);
  }

  get api(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Listens on a free port, or on the same port again after `stop()` (Discord coming back after an outage). */
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.rest.handle(req, res).catch(() => res.end());
    });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on("connection", (ws) => this.gateway.attach(ws));
    await new Promise<void>((r) => this.server.listen(this.port, "127.0.0.1", () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  // --- acting as people ---
  post(channelId: string, user: FakeUser, content: string, extra: Partial<FakeMessage> = {}): FakeMessage {
    return this.rest.createMessage(channelId, user, { content }, extra);
  }

  edit(channelId: string, messageId: string, content: string): void {
    const m = this.world.messages.get(channelId)?.find((x) => x.id === messageId);
    if (!m) throw new Error("no such message");
    m.content = content;
    m.edited_timestamp = new Date().toISOString();
    this.gateway.dispatch("MESSAGE_UPDATE", m);
  }

  remove(channelId: string, messageId: string): void {
    this.world.messages.set(
      channelId,
      (this.world.messages.get(channelId) ?? []).filter((x) => x.id !== messageId),
    );
    this.gateway.dispatch("MESSAGE_DELETE", { id: messageId, channel_id: channelId, guild_id: this.world.guildId });
  }

  react(channelId: string, messageId: string, user: FakeUser, emoji: string): void {
    this.gateway.dispatch("MESSAGE_REACTION_ADD", {
      user_id: user.id,
      channel_id: channelId,
      message_id: messageId,
      guild_id: this.world.guildId,
      emoji: { id: null, name: emoji },
      member: this.world.member(user.id),
    });
  }

  /** Runs a slash command (or its autocomplete) as a person and resolves with crier's interaction responses. */
  async interact(
    channelId: string,
    user: FakeUser,
    name: string,
    options: Array<{ name: string; value: string; focused?: boolean }>,
    autocomplete = false,
    waitMs = 5000,
  ) {
    const token = `itoken${snowflake()}`;
    const command = this.world.commands.find((c) => c.name === name);
    this.gateway.dispatch("INTERACTION_CREATE", {
      id: snowflake(),
      application_id: this.world.appId,
      type: autocomplete ? 4 : 2,
      token,
      version: 1,
      guild_id: this.world.guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: this.world.guildId },
      member: { ...this.world.member(user.id), permissions: "2147483647" },
      app_permissions: "2147483647",
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: {},
      data: { id: command?.id ?? snowflake(), name, type: 1, options: options.map((o) => ({ type: 3, ...o })) },
    });
    const end = Date.now() + waitMs;
    while (Date.now() < end) {
      // A deferred reply (type 5) is followed by the real answer; wait for that.
      const replies = this.rest.interactionReplies.get(token);
      if (replies?.some((r) => r.type !== 5)) {
        await new Promise((r) => setTimeout(r, 50));
        return this.rest.interactionReplies.get(token)!;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no interaction response to /${name} within ${waitMs} ms`);
  }

  /** Messages in a channel sent by crier (the bot or its webhooks). */
  sentBy(channelId: string): FakeMessage[] {
    return (this.world.messages.get(channelId) ?? []).filter((m) => m.author.id === this.world.bot.id || m.webhook_id);
  }
}
