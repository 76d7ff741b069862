/**
 * Matrix state changes people notice — joining, leaving, a new display name, a new topic — as crier's events.
 * Only timeline events reach here (what happened while crier watched), never the room state of a first sync.
 */
import type { MembershipEvent, RoomRef, UserRef } from "../../core/model.js";
import type { RawMatrixEvent } from "./inbound.js";

const localpart = (mxid: string) => mxid.replace(/^@/, "").split(":")[0];

export function membershipEvent(
  room: RoomRef,
  ev: RawMatrixEvent,
  sender: UserRef,
  receivedAt: number,
): MembershipEvent | undefined {
  const at = new Date(ev.origin_server_ts ?? receivedAt);
  if (ev.type === "m.room.topic" && ev.state_key === "") {
    return { kind: "topic", room, user: sender, topic: String(ev.content?.topic ?? ""), at };
  }
  if (ev.type !== "m.room.member" || !ev.state_key) return undefined;
  const now = ev.content?.membership;
  const before = ev.unsigned?.prev_content?.membership;
  const oldName = ev.unsigned?.prev_content?.displayname || localpart(ev.state_key);
  const newName = ev.content?.displayname || localpart(ev.state_key);
  const user: UserRef = { account: room.account, id: ev.state_key, name: now === "join" ? newName : oldName };
  if (now === "join" && before !== "join") return { kind: "join", room, user, at };
  if (now === "join" && before === "join" && oldName !== newName)
    return { kind: "nick", room, user: { ...user, name: oldName }, newName, at };
  if ((now === "leave" || now === "ban") && before === "join") {
    const reason = ev.content?.reason ? String(ev.content.reason) : now === "ban" ? "banned" : undefined;
    return { kind: "part", room, user, reason, at };
  }
  return undefined;
}
