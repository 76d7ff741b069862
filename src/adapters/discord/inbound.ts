/**
 * discord.js events → crier's events: the sender as shown in the guild, Markdown parsed with mention names; only
 * configured channels, never crier's own messages. After a (re-)identify the live messages of each channel are
 * held while the gap before the session is read from history, then both go out merged in id order.
 */
import type { Client, Message, MessageReaction, PartialMessage, PartialMessageReaction, TextChannel } from "discord.js";
import type { AdapterDeps, EventSink } from "../../core/adapter.js";
import { parseDuration } from "../../core/duration.js";
import type { ChatEvent, DeleteEvent, EditEvent, MessageEvent, RoomRef, UserRef } from "../../core/model.js";
import { readGap } from "./backfill.js";
import type { DiscordConfig } from "./config.js";
import type { ChannelCursor } from "./cursor.js";
import { type MentionNames, parseDiscord } from "./markdown.js";
import type { ChannelWebhooks } from "./webhooks.js";

/** How long a back-fill of one channel may page through history (Discord serves about 50 pages/s at most). */
const BACKFILL_BUDGET_MS = 120_000;

function names(account: string, m: Message | PartialMessage, client: Client): MentionNames {
  return {
    account,
    user: (id) =>
      m.mentions?.members?.get(id)?.displayName ??
      m.mentions?.users?.get(id)?.username ??
      client.users.cache.get(id)?.username,
    channel: (id) => (client.channels.cache.get(id) as TextChannel | undefined)?.name,
    role: (id) => m.guild?.roles.cache.get(id)?.name,
  };
}

function sender(account: string, m: Message | PartialMessage): UserRef {
  const a = m.author!;
  return {
    account,
    id: a.id,
    name: m.member?.displayName ?? a.globalName ?? a.username,
    handle: a.username,
    avatarUrl: a.displayAvatarURL?.(),
  };
}

export function messageEvent(account: string, m: Message, client: Client, backfill: boolean): MessageEvent {
  return {
    kind: "message",
    id: m.id,
    room: { account, room: m.channelId },
    sender: sender(account, m),
    body: parseDiscord(m.content ?? "", names(account, m, client)),
    replyTo: m.reference?.messageId,
    attachments: [...m.attachments.values()].map((a) => ({
      url: a.url,
      name: a.name,
      mime: a.contentType ?? undefined,
      size: a.size,
    })),
    isPrivate: !m.guildId,
    at: m.createdAt,
    backfill: backfill || undefined,
  };
}

export function editEvent(account: string, m: Message | PartialMessage, client: Client, now: number): EditEvent {
  return {
    kind: "edit",
    id: `${m.id}:${m.editedTimestamp ?? now}`,
    room: { account, room: m.channelId },
    sender: sender(account, m),
    targetId: m.id,
    body: parseDiscord(m.content ?? "", names(account, m, client)),
    at: new Date(now),
  };
}

export function deleteEvent(account: string, m: Message | PartialMessage, now: number): DeleteEvent {
  return {
    kind: "delete",
    room: { account, room: m.channelId },
    sender: sender(account, m),
    targetId: m.id,
    at: new Date(now),
  };
}

export interface InboundParts {
  account: string;
  config: DiscordConfig;
  client: Client;
  deps: AdapterDeps;
  cursor: ChannelCursor;
  webhooks: ChannelWebhooks;
  /** The core's sink once the adapter is started. */
  sink(): EventSink | undefined;
}

export class DiscordInbound {
  /** Live messages held per channel while its gap is back-filled. */
  private readonly held = new Map<string, Message[]>();

  constructor(private readonly p: InboundParts) {
    const { client } = p;
    // discord.js calls these from inside its own unawaited message handling: a throw here would surface as an
    // unhandled rejection with no trace of which event it was, so each is caught and logged where it happens.
    client.on("messageCreate", (m) => this.guarded("messageCreate", () => this.onMessage(m)));
    client.on("messageUpdate", (_old, m) => this.guarded("messageUpdate", () => this.onEdit(m)));
    client.on("messageDelete", (m) => this.guarded("messageDelete", () => this.onDelete(m)));
    client.on("messageReactionAdd", (r, u) => this.guarded("messageReactionAdd", () => this.onReaction(r, u)));
  }

  /** A session began: live messages wait from now until `catchUp` has read what was missed before it. */
  hold(): void {
    for (const c of this.p.config.channels) if (!this.held.has(c)) this.held.set(c, []);
  }

  async catchUp(): Promise<void> {
    for (const channelId of this.p.config.channels) {
      const missed = await this.missedIn(channelId).catch((err) => {
        this.p.deps.log.warn({ err, channel: channelId }, "Discord backfill failed");
        return [];
      });
      // Synchronous from here: the fetched gap and the held live messages go out merged, in id order.
      const live = this.held.get(channelId) ?? [];
      this.held.delete(channelId);
      const liveIds = new Set(live.map((m) => m.id));
      const merged = [
        ...missed.filter((m) => !liveIds.has(m.id)).map((m) => ({ m, backfill: true })),
        ...live.map((m) => ({ m, backfill: false })),
      ].sort((a, b) => (BigInt(a.m.id) < BigInt(b.m.id) ? -1 : 1));
      for (const { m, backfill } of merged) this.onMessage(m, backfill);
    }
  }

  /**
   * What was said in a channel since the last message seen, before this session (backfill.ts). crier's own copies
   * are dropped as they are read, so a busy gap costs no memory for them; hitting the time cap is logged, counted
   * and reported to the link as a gap.
   */
  private async missedIn(channelId: string): Promise<Message[]> {
    const { cursor, config, deps, account } = this.p;
    const now = () => deps.clock.now();
    cursor.watch(channelId, now());
    const after = cursor.fetchAfter(channelId, now());
    if (!after) return [];
    const channel = (await this.p.client.channels.fetch(channelId)) as TextChannel | null;
    if (!channel) return [];
    // crier's own webhook must be known before its messages in the history are read, or they would come back
    // as if someone had said them on Discord.
    if (config.useWebhooks) await this.p.webhooks.for(channel);
    const budget = parseDuration(config.backfillLimit) ?? BACKFILL_BUDGET_MS;
    const gap = await readGap(channel, after, budget, (m) => this.isSelf(m), now);
    if (gap.incompleteFrom) {
      deps.log.warn(
        { channel: channelId, recovered: gap.messages.length },
        "Discord back-fill stopped at its time limit; later messages of the gap could not be recovered",
      );
      deps.metrics?.inc("crier_backfill_incomplete_total", "back-fills stopped before the gap's end", { account });
      const room = { account, room: channelId };
      const [from, to, roomName] = [gap.incompleteFrom, new Date(now()), `#${channel.name}`];
      this.deliver({ kind: "gap", network: "Discord", room, roomName, from, to, at: to });
    }
    return gap.messages;
  }

  private guarded(event: string, handle: () => void): void {
    try {
      handle();
    } catch (err) {
      this.p.deps.log.error({ err, event }, "a Discord event could not be handled");
    }
  }

  /** Hands an event to crier; the dispatcher logs its own failures, this catches one that escapes it. */
  private deliver(event: ChatEvent): void {
    const handled = this.p.sink()?.(event);
    if (handled) handled.catch((err) => this.p.deps.log.error({ err, kind: event.kind }, "a Discord event failed"));
  }

  private inScope(channelId: string): boolean {
    const { channels } = this.p.config;
    return !channels.length || channels.includes(channelId);
  }

  private room(channelId: string): RoomRef {
    return { account: this.p.account, room: channelId };
  }

  private isSelf(m: Message | PartialMessage): boolean {
    return m.author?.id === this.p.client.user?.id || this.p.webhooks.isOwn(m.webhookId);
  }

  private onMessage(m: Message, backfill = false): void {
    if (!this.inScope(m.channelId)) return;
    const held = backfill ? undefined : this.held.get(m.channelId);
    if (held) {
      held.push(m);
      return;
    }
    this.p.cursor.see(m.channelId, m.id);
    if (this.isSelf(m) || m.system) return;
    this.deliver(messageEvent(this.p.account, m, this.p.client, backfill));
  }

  private onEdit(m: Message | PartialMessage): void {
    if (!m.author || this.isSelf(m) || !this.inScope(m.channelId) || m.content === null) return;
    this.deliver(editEvent(this.p.account, m, this.p.client, this.p.deps.clock.now()));
  }

  private onDelete(m: Message | PartialMessage): void {
    // Discord does not say who deleted; only a cached message's author can be checked against the original.
    if (!m.author || this.isSelf(m) || !this.inScope(m.channelId)) return;
    this.deliver(deleteEvent(this.p.account, m, this.p.deps.clock.now()));
  }

  private onReaction(r: MessageReaction | PartialMessageReaction, u: { id: string; username?: string | null }): void {
    if (u.id === this.p.client.user?.id || !this.inScope(r.message.channelId)) return;
    this.deliver({
      kind: "reaction",
      id: `${r.message.id}:${u.id}:${r.emoji.name}`,
      room: this.room(r.message.channelId),
      sender: { account: this.p.account, id: u.id, name: u.username ?? u.id },
      targetId: r.message.id,
      emoji: r.emoji.name ?? "?",
      at: new Date(this.p.deps.clock.now()),
    });
  }
}
