/**
 * Reading what a Discord channel said while crier was away: pages forward from the last message seen until the
 * present. The cap is on time, not pages (a busy channel's gap is long but bounded by the rate limit); when it is
 * hit, what is left is reported as a gap, never dropped silently.
 */
import { type Message, SnowflakeUtil, type TextChannel } from "discord.js";

export interface Backfill {
  /** Messages after `after`, oldest first, without crier's own copies. */
  messages: Message[];
  /** Set when the time cap stopped the reading: nothing after this moment (up to the present) was recovered. */
  incompleteFrom?: Date;
}

export async function readGap(
  channel: TextChannel,
  after: string,
  budgetMs: number,
  isSelf: (m: Message) => boolean,
  now: () => number,
): Promise<Backfill> {
  const messages: Message[] = [];
  const stopAt = now() + budgetMs;
  let cursor: string | undefined = after;
  while (cursor) {
    if (now() >= stopAt) return { messages, incompleteFrom: new Date(SnowflakeUtil.timestampFrom(cursor)) };
    const batch: Message[] = [...(await channel.messages.fetch({ after: cursor, limit: 100, cache: false })).values()];
    batch.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    messages.push(...batch.filter((m) => !isSelf(m)));
    cursor = batch.length === 100 ? batch[99].id : undefined;
  }
  return { messages };
}
