import type { Readable, Writable } from "node:stream";
import {
  type Adapter,
  type Capabilities,
  type ConnectionState,
  type EventSink,
  NO_CAPABILITIES,
  type OutgoingMessage,
  type SendResult,
} from "../../core/adapter.js";
import type { ChatEvent, MessageEvent, RoomRef, UserRef } from "../../core/model.js";
import { fromPlain, toPlain, type RichText } from "../../core/richtext.js";
import { type Clock, SystemClock } from "../../services/clock.js";
import type { Store } from "../../store/store.js";
import type { ConsoleConfig } from "./config.js";
import { ConsoleTerminal } from "./terminal.js";
import { runOnce } from "./first-run.js";

export interface ConsoleIo {
  input?: Readable;
  output?: Writable;
  /** Where `firstRun` lines are remembered as done (once per state directory). */
  store?: Store;
  /** When lines are said (AdapterDeps.clock); the wall clock by default. */
  clock?: Clock;
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
 * Chat on stdin/stdout: the embedded default that needs no credentials. Tests type through `say()` and use it as
 * their in-process platform through test/helpers/console.ts. EOF on the input stream does not stop crier; only
 * signals do.
 */
export class ConsoleAdapter implements Adapter {
  readonly capabilities: Capabilities = {
    ...NO_CAPABILITIES,
    edit: true,
    delete: true,
    replies: true,
    reactions: true,
  };
  /**
   * Every message crier said here, in order, as the console printed it. The operator's terminal shows them; tests
   * and the benchmarks read them (test/helpers/console.ts adds waiting and the other operations' records).
   */
  readonly sent: ConsoleSent[] = [];
  private sink: EventSink | undefined;
  private readonly clock: Clock;
  private seq = 0;
  private current: ConnectionState = "disconnected";
  private terminal: ConsoleTerminal | undefined;

  constructor(
    readonly account: string,
    private readonly config: ConsoleConfig,
    private readonly io: ConsoleIo = {},
  ) {
    this.clock = io.clock ?? new SystemClock();
  }

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
      at: new Date(this.clock.now()),
      isPrivate: opts.isPrivate,
      ...(opts.action ? { action: true } : {}),
    };
    this.emit(event);
    return event;
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
    return { nativeIds: [nativeId] };
  }

  async edit(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void> {
    this.print(`[${room}] (edited ${nativeIds.join(",")}) ${toPlain(msg.body)}`);
  }

  async delete(room: string, nativeIds: string[]): Promise<void> {
    this.print(`[${room}] (deleted ${nativeIds.join(",")})`);
  }

  /** Output above the prompt when a terminal is attached, else a plain line. */
  private print(line: string): void {
    if (this.terminal) this.terminal.print(line);
    else this.io.output?.write(`${line}\n`);
  }

  /** A reaction has no line of its own on the console. */
  async react(_room: string, _nativeId: string, _emoji: string): Promise<void> {}

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
}
