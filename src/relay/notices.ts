/**
 * The lines crier says in a room on someone's behalf, where the platform has no native form for what happened:
 * membership changes, and a delete or a reaction told as text (`describeChanges`).
 */
import type { OutgoingMessage } from "../core/adapter.js";
import type { MembershipEvent, RoomRef, UserRef } from "../core/model.js";
import { text } from "../core/richtext.js";
import type { OutboxItem } from "../delivery/outbox.js";

/** A delete or a reaction told as a line, where the target cannot show it natively (`describeChanges`). */
export function describedChange(
  event: { sender: UserRef },
  op: "delete" | "react",
  emoji: string | undefined,
  excerpt: string,
  target: RoomRef,
  key: string,
): OutboxItem {
  const who = event.sender.name.replace(/\s+/g, " ").trim().slice(0, 80);
  const quote = excerpt.replace(/\s+/g, " ").trim().slice(0, 60);
  const said =
    op === "delete"
      ? `(${who} deleted a message)`
      : `${who} reacted ${(emoji ?? "?").slice(0, 16)} to ‹${quote}${excerpt.length > 60 ? "…" : ""}›`;
  return relayedNotice(target, said, `relay-${op}-said:${key}`);
}

/** A line crier says in a room on someone's behalf (membership, a described change), in the relay lane. */
export function relayedNotice(
  target: RoomRef,
  said: string,
  key: string,
  membership?: OutgoingMessage["membership"],
): OutboxItem {
  return {
    account: target.account,
    lane: "relay",
    message: {
      room: target.room,
      body: [text(said)],
      kind: "notice",
      idempotencyKey: `${key}->${target.account}/${target.room}`,
      ...(membership ? { membership } : {}),
    },
  };
}

/** One line for the other rooms; what strangers chose (reasons, topics, names) is cut short. */
export function membershipText(e: MembershipEvent): string {
  const cut = (s: string | undefined, n: number) => (s ?? "").replace(/\s+/g, " ").trim().slice(0, n);
  const who = cut(e.user.name, 80);
  if (e.kind === "nick") return `${who} is now known as ${cut(e.newName, 80)}`;
  if (e.kind === "topic") return `${who} set the topic: ${cut(e.topic, 300)}`;
  const reason = cut(e.reason, 100);
  return `${who} ${e.kind === "join" ? "joined" : "left"}${reason ? ` (${reason})` : ""}`;
}
