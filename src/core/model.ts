/** Platform-neutral chat model shared by adapters, relay and features. */
import type { RichText } from "./richtext.js";

/** A room on one configured account: `account` is the config name (`irc.libera`), `room` the native id. */
export interface RoomRef {
  account: string;
  room: string;
}

/** A person on one account. `id` is the stable native id (IRC services account, mxid, snowflake). */
export interface UserRef {
  account: string;
  id: string;
  /** Display name as the platform shows it right now. */
  name: string;
  /** The unique name people know the account by, when `id` is not it (a Discord username). */
  handle?: string;
  avatarUrl?: string;
  /**
   * The platform could not say who this is (an IRC nick without a services account): the id names a nick, not a
   * person, so it never counts as an admin or organiser and is never linked to other identities.
   */
  unverified?: boolean;
}

export interface Attachment {
  url: string;
  name: string;
  mime?: string;
  size?: number;
}

interface EventBase {
  room: RoomRef;
  /** True for a private/direct conversation with crier. */
  isPrivate?: boolean;
  at: Date;
}

export interface MessageEvent extends EventBase {
  kind: "message";
  id: string;
  sender: UserRef;
  body: RichText;
  /** `/me` action. */
  action?: boolean;
  /** Notice-type message (bots); not relayed by default. */
  notice?: boolean;
  /** Native id of the message this replies to, in the same room. */
  replyTo?: string;
  attachments?: Attachment[];
  /** Set when the sender is crier itself (echo); such events are never relayed or treated as commands. */
  fromSelf?: boolean;
  /** Set when the event is a replay of history after an outage (backfill). */
  backfill?: boolean;
  /** Relayed by a bridge that marked it so (another crier): never relayed again. */
  viaBridge?: boolean;
}

export interface EditEvent extends EventBase {
  kind: "edit";
  id: string;
  sender: UserRef;
  targetId: string;
  body: RichText;
}

export interface DeleteEvent extends EventBase {
  kind: "delete";
  sender: UserRef;
  targetId: string;
}

export interface ReactionEvent extends EventBase {
  kind: "reaction";
  id: string;
  sender: UserRef;
  targetId: string;
  emoji: string;
}

/** Someone joined, left, changed name or set the topic (relayed only on links with `membership: true`). */
export interface MembershipEvent extends EventBase {
  kind: "join" | "part" | "nick" | "topic";
  user: UserRef;
  reason?: string;
  /** For "nick": the new name. */
  newName?: string;
  /**
   * For "nick": who they are after it, when the platform's id for them changes with the name (an IRC nick without
   * a services account); absent when the id stays (a services account, a Matrix id): then only the name changed.
   */
  renamedTo?: UserRef;
  /** For "topic": the new topic. */
  topic?: string;
}

/**
 * Back-fill could not reach back to the last message crier saw in a room (IRC history shorter than the gap, a
 * back-fill window exceeded): what was said between `from` (when known) and `to` is lost. `network` names the
 * platform for people ("IRC"); it is the adapter's words, never tested by the core.
 */
export interface HistoryGapEvent extends EventBase {
  kind: "gap";
  network: string;
  /** The room as people know it there (`#devel`), when its id is not that. */
  roomName?: string;
  from?: Date;
  to: Date;
}

export type ChatEvent = MessageEvent | EditEvent | DeleteEvent | ReactionEvent | MembershipEvent | HistoryGapEvent;

export const userKey = (u: Pick<UserRef, "account" | "id">): string => `${u.account}:${u.id}`;
export const roomKey = (r: RoomRef): string => `${r.account}/${r.room}`;
export const sameRoom = (a: RoomRef, b: RoomRef): boolean => a.account === b.account && a.room === b.room;

/** One message of a flood's folded run, as the relay kept it. */
export interface FoldedMessage {
  author: string;
  text: string;
  at: number;
}

/** A run of folded messages (the relay keeps them; the web page of the fold line shows them). */
export interface FoldedRun {
  target: RoomRef;
  origin: RoomRef;
  messages: FoldedMessage[];
}
