/** discord.js messages → crier's events: the sender as shown in the guild, Markdown parsed with mention names. */
import type { Client, Message, PartialMessage, TextChannel } from "discord.js";
import type { DeleteEvent, EditEvent, MessageEvent, UserRef } from "../../core/model.js";
import { type MentionNames, parseDiscord } from "./markdown.js";

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

export function editEvent(account: string, m: Message | PartialMessage, client: Client): EditEvent {
  return {
    kind: "edit",
    id: `${m.id}:${m.editedTimestamp ?? Date.now()}`,
    room: { account, room: m.channelId },
    sender: sender(account, m),
    targetId: m.id,
    body: parseDiscord(m.content ?? "", names(account, m, client)),
    at: new Date(),
  };
}

export function deleteEvent(account: string, m: Message | PartialMessage): DeleteEvent {
  return {
    kind: "delete",
    room: { account, room: m.channelId },
    sender: sender(account, m),
    targetId: m.id,
    at: new Date(),
  };
}
