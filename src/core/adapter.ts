/**
 * The contract every platform adapter fulfils. The core never asks "which platform is this?": it reads the
 * capability flags and calls these methods. Rendering RichText into native markup is the adapter's job.
 */
import type { Attachment, ChatEvent, RoomRef, UserRef } from "./model.js";
import type { RichText } from "./richtext.js";
import type { Logger } from "./log.js";
import type { Clock } from "../services/clock.js";
import type { Store } from "../store/store.js";
import type { Metrics } from "../services/metrics.js";
import type { AnyCommand } from "./commands.js";

export interface Capabilities {
  /** Messages crier sent can be edited in place. */
  edit: boolean;
  delete: boolean;
  /** Native replies that point at an earlier message. */
  replies: boolean;
  reactions: boolean;
  /**
   * Consecutive relayed messages of one sender can be shown as one message of several lines (a multi-line Matrix
   * event, a Discord message), up to these limits; the outbox combines a room's backlog that way.
   */
  combinesLines?: { maxLines: number; maxChars: number };
  /** Times can be written as reader-local markers (Discord `<t:…>`); templates use this to pick a form. */
  localTimeMarkers: boolean;
  /**
   * The pace one room takes crier's lines at, when the platform imposes one (IRC's flood protection); a flood
   * beyond what that pace carries in the link's `floodBacklog` is folded (relay/flood.ts).
   */
  linesPerMinute?: number;
  /**
   * Files relayed here can be uploaded as the platform's own media (an `m.image` on Matrix), each up to `maxBytes`;
   * larger ones, and files on platforms without this, become links.
   */
  uploadsFiles?: { maxBytes: number };
  /**
   * Relayed people appear here as virtual users of the platform's own (Matrix ghosts, named by `SenderShown.puppet`),
   * whose names follow the person's renames: the relay then sends a rename as a `membership` of kind "rename".
   */
  puppets?: boolean;
}

/** What the core assumes of an account it cannot reach (no adapter): nothing beyond plain text. */
export const NO_CAPABILITIES: Capabilities = {
  edit: false,
  delete: false,
  replies: false,
  reactions: false,
  localTimeMarkers: false,
};

/** Someone in a room, with every name people may address them by there. */
export interface RoomMember {
  /** The same UserRef (account, id, display name) their own messages carry. */
  user: UserRef;
  /** Display name, handle or nick, and any other form people type to address them (a Matrix localpart, an mxid). */
  names: string[];
}

/** Who a relayed message is shown as. */
export interface SenderShown {
  name: string;
  avatarUrl?: string;
  /** Stable key of the original sender (for per-nick colours and loop checks). */
  key?: string;
  /** How the sender is named as a user of the target platform, where it makes one per person (a Matrix ghost). */
  puppet?: Puppet;
}

/** A remote person as a virtual user elsewhere: `id` parts unique across every account of their platform. */
export interface Puppet {
  id: string[];
  displayName: string;
}

export interface OutgoingMessage {
  room: string;
  body: RichText;
  /** "relay": a person's message relayed under their name; "notice": crier's own words. */
  kind: "relay" | "notice";
  sender?: SenderShown;
  action?: boolean;
  /** Native id, in the target room, of the message this one answers. */
  replyToNativeId?: string;
  /** Who and what the reply answers, for a send that cannot carry a native reply (a Discord webhook). */
  replyQuote?: { authorName: string; excerpt: string };
  /** Unique per outgoing message: the Matrix transaction id, the Discord nonce, the dedupe key for IRC echo. */
  idempotencyKey: string;
  /** Native user ids that may be pinged (explicitly translated mentions only). */
  allowedMentions?: string[];
  /** Where the whole message can be read on its own platform, for a target that has to cut it short. */
  originalUrl?: string;
  /**
   * The join or leave a relayed notice tells of (the person's state after it): a platform that impersonates may
   * show it as that person's own joining or leaving instead of the line. A "rename" (sent only where `puppets`)
   * gives the virtual user of `who` its new name (`who.puppet.displayName`) and says nothing else.
   */
  membership?: { kind: "join" | "part" | "rename"; who: SenderShown };
  /** Files for the adapter to upload after the text (only for a target that `uploadsFiles`; others get links). */
  files?: Attachment[];
}

export interface SendResult {
  /** Every native id the message produced (a long message may become several lines or messages). */
  nativeIds: string[];
}

export type ConnectionState = "connecting" | "connected" | "disconnected";

/** Thrown by adapters when a send can never succeed (room gone, forbidden); the outbox parks such messages. */
export class PermanentSendError extends Error {
  override name = "PermanentSendError";
}

/** Platform-provided reply channel for an event (a Discord interaction); without one, answers go to the room. */
export type Responder = (body: RichText, opts: { private: boolean }) => Promise<void>;

/**
 * Where an adapter hands its inbound events. The promise (when there is one) settles once the event is handled and
 * what it caused is recorded: an adapter that saves a read position (a sync token) waits for it first, so a crash
 * or a takeover right after never skips an event.
 */
export type EventSink = (event: ChatEvent, responder?: Responder) => void | Promise<void>;

export interface Adapter {
  readonly account: string;
  readonly capabilities: Capabilities;
  start(sink: EventSink): Promise<void>;
  stop(): Promise<void>;
  state(): ConnectionState;
  /** The name crier itself goes by on this account right now (nick, display name, bot username). */
  selfName?(): string | undefined;
  /** The state with since when, the last error and the next retry (health checks, `!status`). */
  status?(): import("./connection.js").AccountStatus;
  /** Rooms crier is configured to sit in on this account. */
  rooms(): string[];
  send(msg: OutgoingMessage): Promise<SendResult>;
  /** For a paced platform (`linesPerMinute`): how many lines `msg` takes on the wire, which the flood budget counts. */
  linesFor?(msg: OutgoingMessage): number;
  edit?(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void>;
  delete?(room: string, nativeIds: string[]): Promise<void>;
  /** `msg` carries who reacted (its `sender`), for a platform that reacts as that person. */
  react?(room: string, nativeId: string, emoji: string, msg?: OutgoingMessage): Promise<void>;
  /**
   * For platforms with no server-side dedupe (IRC): whether a message that was in flight when crier died already
   * reached the room, judged from what the platform shows was said (history replay). Returns its native ids if so.
   */
  alreadyDelivered?(msg: OutgoingMessage): Promise<string[] | undefined>;
  /** Pages the adapter serves through crier's web server (e.g. media that needs the account's login). */
  httpAnswer?(
    path: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer | string } | undefined>;
  /** Whether this user's commands skip the per-user and per-room budgets (the operator at a local console). */
  unlimitedCommands?(user: UserRef): boolean;
  /** Whether this user has moderator rights in the room by the platform's own rules (power level, Manage Server, op). */
  isRoomAdmin?(user: UserRef, room: RoomRef): Promise<boolean>;
  /** How to address a user in text on this platform (an explicit mention node is built from it). */
  mentionFor?(user: UserRef): RichText;
  /**
   * Who is in the room right now (IRC roster, Matrix joined members, Discord members who can see the channel),
   * crier itself left out; undefined when the platform cannot tell. The relay addresses people and tells names
   * apart with it.
   */
  members?(room: string): Promise<readonly RoomMember[] | undefined>;
  /**
   * How one of this platform's users is named as a virtual user on another platform: id parts that stay the same
   * for the person and differ between people across every account of this platform, and the display name to show.
   * Without it the relay uses the account and the user id.
   */
  puppet?(user: UserRef): Puppet;
  /** The names a user id stands for even while its owner is away (an IRC account's name, a Matrix localpart). */
  namesOf?(userId: string): string[];
  /** Where crier can say something that only `user` sees (a private message), if this platform has such a place. */
  privateRoom?(user: UserRef, from: RoomRef): string | undefined;
  /** A link anyone in the room can open to one message (matrix.to, a Discord jump link), if the platform has one. */
  permalink?(room: string, nativeId: string): string | undefined;
}

export interface AdapterDeps {
  log: Logger;
  store: Store;
  /**
   * The networks' time, for what an adapter stamps and paces (event times, back-fill cursors, flood pacing). The wall
   * clock in crier; a test may pass its own. Not the app's clock: a test that moves crier's schedules to next month
   * must not stall IRC's pacing or age Discord's back-fill position — the servers keep real time.
   */
  clock: Clock;
  /** Base URL of crier's HTTP server when it is enabled (for media and long-text links). */
  publicUrl?: string;
  /** crier's state directory (files an adapter keeps, relative paths in its config). */
  stateDir?: string;
  admins: string[];
  /** Counters such as reconnects (`crier_reconnects_total{account}`); optional so adapters work without it. */
  metrics?: Metrics;
  /** The command declarations (Discord registers them as slash commands). */
  commands: readonly AnyCommand[];
  /**
   * Reports a problem only the operator can fix (the platform refused the token or password): crier stops with this
   * one-line reason and a non-zero code. Never for network trouble, which is retried forever.
   */
  fatal?(reason: string): void;
  /**
   * False once this instance may no longer act (its lease ran out, or the process was paused past it). The outbox
   * checks it before a send; an adapter that makes a send wait (a paced queue, a rate-limit bucket) checks it again
   * right before the bytes leave, since a pause inside that wait would otherwise send after a takeover. Absent: always.
   */
  mayAct?(): boolean;
}

/**
 * What one platform folder exports: its account config schema, a factory, and the pure parse/render functions
 * `crier render` and the relay use without a connection.
 */
export interface PlatformModule<C = unknown> {
  platform: string;
  // biome-ignore lint/suspicious/noExplicitAny: zod schemas of each platform differ in shape.
  configSchema: any;
  create(account: string, config: C, deps: AdapterDeps): Adapter;
  /** Native markup → RichText (`crier render --from`). */
  parse(input: { text?: string; html?: string }): RichText;
  /** OutgoingMessage → the exact payloads this platform would send (`crier render --to`). */
  render(msg: OutgoingMessage): unknown[];
}
