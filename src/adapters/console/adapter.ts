import type { Readable, Writable } from "node:stream";
import type {
  Adapter,
  Capabilities,
  ConnectionState,
  EventSink,
  OutgoingMessage,
  RoomMember,
  SendResult,
} from "../../core/adapter.js";
import type { ChatEvent, MessageEvent, RoomRef, UserRef } from "../../core/model.js";
import { fromPlain, toPlain, type RichText } from "../../core/richtext.js";
import type { Store } from "../../store/store.js";
import type { ConsoleConfig } from "./config.js";
import { ConsoleTerminal } from "./terminal.js";
import { runOnce } from "./first-run.js";

export interface ConsoleIo {
  input?: Readable;
  output?: Writable;
  /** Where `firstRun` lines are remembered as done (once per state directory). */
  store?: Store;
}

export interface ConsoleSent {
  room: string;
  text: string;
  msg: OutgoingMessage;
  nativeId: string;
}

/** Renders one outgoing message as the console shows it: `[room] <sender> text`. */
export function renderConsoleLine(msg: OutgoingMessage): string {
  const who = msg.kind === "relay" && msg.sender ? msg.sender.name : "crier";
  const body = toPlain(msg.body);
  return msg.action ? `[${msg.room}] * ${who} ${body}` : `[${msg.room}] <${who}> ${body}`;
}

/**
 * Chat on stdin/stdout: the embedded default that needs no credentials, and the in-process test double (tests
 * call `say()` and read `sent`). EOF on the input stream does not stop crier; only signals do.
 */
export class ConsoleAdapter implements Adapter {
  readonly capabilities: Capabilities = {
    edit: true,
    delete: true,
    replies: true,
    reactions: true,
    impersonate: true,
    threads: false,
    localTimeMarkers: false,
  };
  readonly sent: ConsoleSent[] = [];
  readonly edits: Array<{ room: string; nativeIds: string[]; text: string }> = [];
  readonly deletes: Array<{ room: string; nativeIds: string[] }> = [];
  readonly reactions: Array<{ room: string; nativeId: string; emoji: string }> = [];
  private sink: EventSink | undefined;
  private seq = 0;
  private current: ConnectionState = "disconnected";
  private readonly waiters: Array<() => void> = [];
  private terminal: ConsoleTerminal | undefined;
  /** Who is in each room, when a test said so (`join`); rooms nobody joined have no member list. */
  private readonly roster = new Map<string, Map<string, UserRef>>();

  constructor(
    readonly account: string,
    private readonly config: ConsoleConfig,
    private readonly io: ConsoleIo = {},
  ) {}

  rooms(): string[] {
    return this.config.rooms;
  }

  state(): ConnectionState {
    return this.current;
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.current = "connected";
    if (this.io.input) {
      this.terminal = new ConsoleTerminal(this.config.rooms, this.config.user, this.io.input, this.io.output, (l) =>
        this.say(l.text, { room: l.room, user: l.user, action: l.action }),
      );
      this.terminal.start();
    }
    if (this.config.firstRun.length && this.io.store) {
      const lines = await runOnce(this.io.store, this.account, this.config.firstRun);
      // Typed once crier has finished starting (and printed its banner), as a person would.
      const typeThem = () => {
        if (this.sink) for (const line of lines) this.say(line);
      };
      if (lines.length) setTimeout(typeThem, 500).unref();
    }
  }

  async stop(): Promise<void> {
    this.terminal?.stop();
    this.terminal = undefined;
    this.current = "disconnected";
    this.sink = undefined;
  }

  /** A person typing a line (tests pass another user or room to act as someone else). */
  say(
    text: string,
    opts: { user?: string; name?: string; room?: string; isPrivate?: boolean; action?: boolean } = {},
  ): MessageEvent {
    const sender = this.user(opts.user);
    const event: MessageEvent = {
      kind: "message",
      id: `c${++this.seq}`,
      room: { account: this.account, room: opts.room ?? this.config.rooms[0] },
      sender: opts.name ? { ...sender, name: opts.name } : sender,
      body: fromPlain(text),
      at: new Date(),
      isPrivate: opts.isPrivate,
      ...(opts.action ? { action: true } : {}),
    };
    this.emit(event);
    return event;
  }

  /** Someone enters a room: listed by `members()` from now on, and announced as a join. */
  join(room: string, user: UserRef): void {
    const list = this.roster.get(room) ?? new Map<string, UserRef>();
    list.set(user.id, user);
    this.roster.set(room, list);
    this.emit({ kind: "join", room: { account: this.account, room }, user, at: new Date() });
  }

  /** Someone leaves a room (announced as a part). */
  leave(room: string, user: UserRef): void {
    this.roster.get(room)?.delete(user.id);
    this.emit({ kind: "part", room: { account: this.account, room }, user, at: new Date() });
  }

  /** Someone present takes another display name (announced as a nick change). */
  rename(room: string, user: UserRef, newName: string): void {
    this.roster.get(room)?.set(user.id, { ...user, name: newName });
    this.emit({ kind: "nick", room: { account: this.account, room }, user, newName, at: new Date() });
  }

  async members(room: string): Promise<RoomMember[] | undefined> {
    const list = this.roster.get(room);
    return list && [...list.values()].map((user) => ({ user, names: [user.name, user.id] }));
  }

  /** A console id is the name people type. */
  namesOf(userId: string): string[] {
    return [userId];
  }

  /** Delivers any event as if it came from the platform. */
  emit(event: ChatEvent): void {
    this.sink?.(event);
  }

  user(name = this.config.user): UserRef {
    return { account: this.account, id: name, name };
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const nativeId = `out${++this.seq}`;
    const text = toPlain(msg.body);
    this.sent.push({ room: msg.room, text, msg, nativeId });
    this.print(renderConsoleLine(msg));
    for (const w of this.waiters.splice(0)) w();
    return { nativeIds: [nativeId] };
  }

  async edit(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void> {
    this.edits.push({ room, nativeIds, text: toPlain(msg.body) });
    this.print(`[${room}] (edited ${nativeIds.join(",")}) ${toPlain(msg.body)}`);
  }

  async delete(room: string, nativeIds: string[]): Promise<void> {
    this.deletes.push({ room, nativeIds });
    this.print(`[${room}] (deleted ${nativeIds.join(",")})`);
  }

  /** Output above the prompt when a terminal is attached, else a plain line. */
  private print(line: string): void {
    if (this.terminal) this.terminal.print(line);
    else this.io.output?.write(`${line}\n`);
  }

  async react(room: string, nativeId: string, emoji: string): Promise<void> {
    this.reactions.push({ room, nativeId, emoji });
  }

  /** The person at the console is the operator: their commands are not rate-limited unless the config says so. */
  unlimitedCommands(user: UserRef): boolean {
    return !this.config.rateLimited && user.id === this.config.user;
  }

  async isRoomAdmin(user: UserRef, _room: RoomRef): Promise<boolean> {
    return this.config.admin && user.id === this.config.user;
  }

  mentionFor(user: UserRef): RichText {
    return [{ t: "mention", name: user.name, user }];
  }

  /** The console is the operator's own terminal: nobody else reads it. */
  privateRoom(_user: UserRef, from: RoomRef): string {
    return from.room;
  }

  /** Resolves when a message is sent whose text matches, or rejects after `ms` (tests wait on events, not sleeps). */
  async waitFor(pred: (s: ConsoleSent) => boolean, ms = 5000): Promise<ConsoleSent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.sent.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `console: no matching message within ${ms} ms; sent so far: ${JSON.stringify(this.sent.map((s) => s.text))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
