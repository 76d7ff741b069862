/**
 * Who is in a Discord channel: the guild members crier knows (the guild's member list as the gateway sent it, and
 * everyone seen since) who may view the channel, as discord.js computes it from roles and overwrites.
 */
import type { Client, GuildMember } from "discord.js";
import type { RoomMember } from "../../core/adapter.js";

/** Members listed per channel: a huge guild costs bounded time per message. */
const MAX_MEMBERS = 20_000;

export function memberOf(account: string, m: GuildMember): RoomMember {
  return {
    user: { account, id: m.id, name: m.displayName, handle: m.user.username },
    names: [...new Set([m.displayName, m.user.username])],
  };
}

export function channelMembers(client: Client, account: string, channelId: string): RoomMember[] | undefined {
  const channel = client.channels.cache.get(channelId);
  // Threads list their members differently (and are not linked rooms); text and voice channels give a Collection.
  if (!channel || channel.isDMBased() || channel.isThread() || !("members" in channel)) return undefined;
  const out: RoomMember[] = [];
  for (const m of channel.members.values()) {
    if (out.length >= MAX_MEMBERS) break;
    if (m.id !== client.user?.id) out.push(memberOf(account, m));
  }
  return out;
}

/** The names a Discord user id stands for, as far as crier has seen them. */
export function namesOfUser(client: Client, id: string): string[] {
  const u = client.users.cache.get(id);
  return u ? [...new Set([u.globalName, u.username].filter((n): n is string => !!n))] : [];
}
