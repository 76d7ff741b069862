/** A PRIVMSG, NOTICE or ACTION from someone else, as crier's MessageEvent (pure: who sent it is decided before). */
import { createHash } from "node:crypto";
import type { MessageEvent, UserRef } from "../../core/model.js";
import { isChannel } from "./encoder.js";
import { parseIrc } from "./format.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

export function ircMessageEvent(
  account: string,
  e: IrcEvent,
  kind: { action?: boolean; notice?: boolean },
  sender: UserRef,
  /** When crier joined each channel (lower-cased name): lines older than that were replayed (chanhistory). */
  joinedAt: (channel: string) => number | undefined,
  /** When crier received the line (for a server without server-time). */
  receivedAt: number,
): MessageEvent {
  const target = String(e.target);
  const message = String(e.message ?? "");
  const isPrivate = !isChannel(target);
  const room = isPrivate ? String(e.nick) : target;
  const at = e.time ? Number(e.time) : receivedAt;
  const joined = joinedAt(room.toLowerCase());
  const id = e.tags?.msgid
    ? String(e.tags.msgid)
    : createHash("sha256").update(`${at}|${e.nick}|${target}|${message}`).digest("hex").slice(0, 24);
  return {
    kind: "message",
    id,
    room: { account, room },
    sender,
    body: parseIrc(message),
    action: kind.action,
    notice: kind.notice,
    isPrivate,
    at: new Date(at),
    // IRCv3 client tag (message-tags): the msgid this line answers, as clients like gamja and Goguma send it.
    replyTo: e.tags?.["+draft/reply"] ? String(e.tags["+draft/reply"]) : undefined,
    // Lines the server replays on join (chanhistory) were said while crier was away.
    backfill: !isPrivate && joined !== undefined && at < joined - 2_000 ? true : undefined,
  };
}
