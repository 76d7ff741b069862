/**
 * The Discord adapter on discord.js. Relayed messages come through one webhook per channel under the sender's name
 * (the bot with a bold name when webhooks are not allowed); crier's own words come from the bot. Every create
 * carries a nonce with enforce_nonce, so a retry cannot duplicate. After an invalid session or a restart (events in
 * the gap are lost to the bot) the channels are back-filled from their history, from a position kept in the store.
 */
import { Client, DiscordAPIError, Partials, PermissionFlagsBits, type TextChannel } from "discord.js";
import {
  type Adapter,
  type AdapterDeps,
  type Capabilities,
  type ConnectionState,
  type EventSink,
  NO_CAPABILITIES,
  type OutgoingMessage,
  PermanentSendError,
  type Puppet,
  type RoomMember,
  type SendResult,
} from "../../core/adapter.js";
import type { AccountStatus } from "../../core/connection.js";
import type { RoomRef, UserRef } from "../../core/model.js";
import type { RichText } from "../../core/richtext.js";
import type { DiscordConfig } from "./config.js";
import { DiscordConnection } from "./connection.js";
import { ChannelCursor } from "./cursor.js";
import { fencedRequests } from "./fenced-rest.js";
import { ChannelWebhooks } from "./webhooks.js";
import { DISCORD_INTENTS } from "./permissions.js";
import { DiscordInbound } from "./inbound.js";
import { channelMembers, namesOfUser } from "./members.js";
import { jumpBase, renderDiscordMessage } from "./render.js";
import { handleInteraction, registerSlashCommands } from "./slash.js";

const PERMANENT_CODES = new Set([10003, 50001, 50013, 10008]);

export class DiscordAdapter implements Adapter {
  readonly capabilities: Capabilities;
  private readonly client: Client;
  private sink: EventSink | undefined;
  private readonly connection: DiscordConnection;
  private readonly webhooks: ChannelWebhooks;
  private readonly cursor: ChannelCursor;
  private readonly inbound: DiscordInbound;
  private readyCount = 0;
  private readonly privateCommands: Set<string>;

  constructor(
    readonly account: string,
    private readonly config: DiscordConfig,
    private readonly deps: AdapterDeps,
  ) {
    this.capabilities = {
      ...NO_CAPABILITIES,
      edit: true,
      delete: true,
      replies: true,
      reactions: true,
      combinesLines: { maxLines: 30, maxChars: 1_800 },
      localTimeMarkers: true,
    };
    this.cursor = new ChannelCursor(deps.store, account, deps.log, 6 * 3_600_000);
    this.privateCommands = new Set(deps.commands.filter((c) => c.privateReply).map((c) => c.name));
    const rest = {
      ...(config.api ? { api: config.api } : {}),
      ...fencedRequests(() => deps.mayAct?.() !== false),
    };
    this.client = new Client({
      intents: DISCORD_INTENTS,
      partials: [Partials.Message, Partials.Reaction],
      rest,
    });
    this.webhooks = new ChannelWebhooks(this.client, rest, deps.log);
    const { client, cursor, webhooks } = this;
    this.inbound = new DiscordInbound({ account, config, client, deps, cursor, webhooks, sink: () => this.sink });
    // These run inside discord.js's unawaited gateway handling: what escapes them is caught and logged here, where
    // the log can say what it was, rather than reaching the process as an anonymous unhandled rejection.
    this.client.on("interactionCreate", (i) => {
      try {
        handleInteraction(this.account, i, this.sink, this.privateCommands, deps.clock.now());
      } catch (err) {
        deps.log.error({ err }, "a Discord interaction could not be handled");
      }
    });
    this.client.on("shardReady", () => {
      this.onReady().catch((err) => deps.log.error({ err }, "Discord session start-up failed"));
    });
    this.client.on("error", (err) => deps.log.error({ err }, "discord.js reported an error"));
    this.connection = new DiscordConnection(account, this.client, config.token, deps);
  }

  rooms(): string[] {
    return this.config.channels;
  }

  state(): ConnectionState {
    return this.connection.state;
  }

  status(): AccountStatus {
    return this.connection.status();
  }

  selfName(): string | undefined {
    return this.client.user?.username;
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    await this.cursor.load();
    // Discord unreachable does not hold start-up: the login goes on being retried, the outbox waits.
    await this.connection.start(10_000);
  }

  async stop(): Promise<void> {
    this.webhooks.destroy();
    await this.connection.stop();
    await this.cursor.close();
  }

  private async onReady(): Promise<void> {
    this.connection.ready();
    this.readyCount++;
    // Live messages wait while the gap before this session is fetched, so nothing overtakes what was missed.
    this.inbound.hold();
    this.deps.log.info(
      { user: this.client.user?.tag, session: this.readyCount },
      this.readyCount === 1 ? "Discord connected" : "Discord re-identified",
    );
    if (this.readyCount === 1 && this.config.slashCommands) {
      const guilds = this.config.guild ? [this.config.guild] : [...this.client.guilds.cache.keys()];
      for (const g of guilds)
        await registerSlashCommands(this.client, g, this.deps.commands).catch((err) =>
          this.deps.log.warn({ err }, "slash command registration failed"),
        );
    }
    await this.inbound.catchUp();
  }

  private async channel(id: string): Promise<TextChannel> {
    try {
      const c = await this.client.channels.fetch(id);
      if (!c?.isTextBased() || !("send" in c))
        throw new PermanentSendError(`Discord channel ${id} is not a text channel`);
      return c as TextChannel;
    } catch (err) {
      throw this.classify(err);
    }
  }

  private classify(err: unknown): Error {
    if (err instanceof DiscordAPIError && PERMANENT_CODES.has(Number(err.code)))
      return new PermanentSendError(`Discord refused: ${err.message}`);
    return err as Error;
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const channel = await this.channel(msg.room);
    const hook =
      this.config.useWebhooks && msg.kind === "relay" && msg.sender ? await this.webhooks.for(channel) : null;
    const bodies = renderDiscordMessage(msg, { webhook: !!hook, jumpBase: jumpBase(channel) });
    const ids: string[] = [];
    try {
      for (const b of bodies) {
        const allowedMentions = { parse: [] as [], users: b.allowed_mentions.users };
        if (hook) {
          const sent = await hook.send({
            content: b.content,
            username: b.username,
            avatarURL: b.avatar_url,
            allowedMentions,
          });
          ids.push(sent.id);
        } else {
          const sent = await channel.send({
            content: b.content,
            allowedMentions,
            nonce: b.nonce,
            enforceNonce: true,
            reply: b.message_reference
              ? { messageReference: b.message_reference.message_id, failIfNotExists: false }
              : undefined,
          });
          ids.push(sent.id);
        }
      }
    } catch (err) {
      throw this.classify(err);
    }
    return { nativeIds: ids };
  }

  /** A webhook send in flight at a crash has no nonce to dedupe it: look for it among the channel's latest messages. */
  async alreadyDelivered(msg: OutgoingMessage): Promise<string[] | undefined> {
    if (!(this.config.useWebhooks && msg.kind === "relay" && msg.sender)) return undefined;
    const channel = await this.channel(msg.room);
    // Right after a restart the webhook may not be looked up yet; its id is how crier knows its own messages.
    await this.webhooks.for(channel);
    const bodies = renderDiscordMessage(msg, { webhook: true, jumpBase: jumpBase(channel) });
    const recent = [...(await channel.messages.fetch({ limit: 50 })).values()].reverse();
    return this.webhooks.findSent(recent, bodies);
  }

  async edit(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void> {
    const channel = await this.channel(room);
    const hook = this.webhooks.known(room);
    const bodies = renderDiscordMessage(msg, { webhook: !!hook, jumpBase: jumpBase(channel) });
    for (const [i, id] of nativeIds.entries()) {
      const content = bodies[i]?.content ?? "\u200b";
      try {
        const m = await channel.messages.fetch(id);
        if (m.webhookId && hook) await hook.editMessage(id, { content, allowedMentions: { parse: [] } });
        else await m.edit({ content, allowedMentions: { parse: [] } });
      } catch (err) {
        throw this.classify(err);
      }
    }
  }

  async delete(room: string, nativeIds: string[]): Promise<void> {
    const channel = await this.channel(room);
    for (const id of nativeIds)
      await channel.messages.delete(id).catch((err) => {
        throw this.classify(err);
      });
  }

  async react(room: string, nativeId: string, emoji: string): Promise<void> {
    const channel = await this.channel(room);
    const m = await channel.messages.fetch(nativeId);
    await m.react(emoji).catch(() => undefined);
  }

  async isRoomAdmin(user: UserRef, room: RoomRef): Promise<boolean> {
    try {
      const channel = await this.channel(room.room);
      const member = await channel.guild.members.fetch(user.id);
      return (
        member.permissions.has(PermissionFlagsBits.ManageGuild) ||
        member.roles.cache.some((r) => this.config.adminRoles.includes(r.id))
      );
    } catch {
      return false;
    }
  }

  mentionFor(user: UserRef): RichText {
    return [{ t: "mention", name: user.name, user }];
  }

  readonly members = async (room: string): Promise<RoomMember[] | undefined> =>
    channelMembers(this.client, this.account, room);
  readonly namesOf = (userId: string): string[] => namesOfUser(this.client, userId);
  /** A snowflake names one person across every bot account: one virtual user each. */
  readonly puppet = (user: UserRef): Puppet => ({ id: ["discord", user.id], displayName: user.name || user.id });

  permalink(room: string, nativeId: string): string | undefined {
    const channel = this.client.channels.cache.get(room);
    const guild = (channel && "guildId" in channel ? channel.guildId : undefined) ?? this.config.guild;
    return guild ? `https://discord.com/channels/${guild}/${room}/${nativeId}` : undefined;
  }
}
