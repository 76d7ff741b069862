/**
 * Commands are data: each declares its name, aliases, summary, usage, examples, permission, a parser and a handler.
 * Help text, Discord slash-command registration and the example tests are all generated from these declarations.
 */
import type { Capabilities } from "./adapter.js";
import type { AppContext } from "./context.js";
import { UserError } from "./errors.js";
import type { MessageEvent, RoomRef, UserRef } from "./model.js";
import type { RichText } from "./richtext.js";

export type Permission = "anyone" | "organiser" | "admin";

export interface CommandExample {
  /** What a person types, including the prefix: `!time 15:00 UTC`. */
  input: string;
  /** What the answer must contain (string) or match (RegExp). */
  expect: string | RegExp;
  /** Run the example as an admin (default: as an ordinary user). */
  asAdmin?: boolean;
}

export interface CommandOption {
  name: string;
  description: string;
  type: "string" | "integer" | "boolean";
  required?: boolean;
  /** Slash-command autocomplete source. */
  autocomplete?: "zone";
}

export interface CommandContext {
  app: AppContext;
  event: MessageEvent;
  user: UserRef;
  room: RoomRef;
  isPrivate: boolean;
  /** Capabilities of the platform the command came from (e.g. whether `<t:…>` time markers render). */
  capabilities: Capabilities;
  /** Answers the asker; `private` answers only them where the platform can (ephemeral, DM). */
  reply(body: string | RichText, opts?: { private?: boolean }): Promise<void>;
  /**
   * Says something only the asker may see (a secret such as a link code): in the interaction, the private
   * conversation, or a private message. Throws a UserError, saying nothing, where the platform has no such place.
   */
  whisper(body: string): Promise<void>;
  /** Admin of the room the command came from (or of `room` when given, for commands that name a room). */
  isAdmin(room?: RoomRef): Promise<boolean>;
  /** The asker's zone by the fallback chain: theirs → room default → config default → UTC. */
  zone(): Promise<string>;
  now(): number;
}

export interface CommandSpec<A = string> {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  examples: CommandExample[];
  permission: Permission;
  /** Slash-command options; by default one optional free-text option `args`. */
  options?: CommandOption[];
  /** Turns the argument text into typed arguments; throws UserError with the usage on bad input. */
  parse?: (args: string) => A;
  run(args: A, ctx: CommandContext): Promise<string | RichText | undefined | void>;
  /** The answer concerns only the asker (sent ephemerally where possible). */
  privateReply?: boolean;
  /** `#`-commands (MeetBot style) are matched by their own prefix instead of the configured one. */
  prefix?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds commands with differently typed arguments.
export type AnyCommand = CommandSpec<any>;

export interface ParsedInvocation {
  command: AnyCommand;
  name: string;
  args: string;
}

export class CommandRegistry {
  private readonly byName = new Map<string, AnyCommand>();
  readonly all: AnyCommand[] = [];

  constructor(private currentPrefix = "!") {}

  get prefix(): string {
    return this.currentPrefix;
  }

  /** A reloaded config changed `commands.prefix`: every command is found under the new one. */
  setPrefix(prefix: string): void {
    if (prefix === this.currentPrefix) return;
    this.currentPrefix = prefix;
    const all = this.all.splice(0);
    this.byName.clear();
    for (const c of all) this.add(c);
  }

  add(cmd: AnyCommand): void {
    for (const n of [cmd.name, ...(cmd.aliases ?? [])]) {
      const key = `${cmd.prefix ?? this.prefix}${n.toLowerCase()}`;
      if (this.byName.has(key)) throw new Error(`command ${key} declared twice`);
      this.byName.set(key, cmd);
    }
    this.all.push(cmd);
  }

  get(name: string): AnyCommand | undefined {
    return this.byName.get(`${this.prefix}${name.toLowerCase()}`) ?? this.byName.get(name.toLowerCase());
  }

  /**
   * Finds every command in a message: a `!cmd …` message, `<selfName>: cmd …`, and every line starting with a
   * `#`-command (several MeetBot lines in one message all run). Unknown `!words` return a hint.
   */
  parseMessage(text: string, selfName?: string): { invocations: ParsedInvocation[]; unknown?: string } {
    const invocations: ParsedInvocation[] = [];
    let unknown: string | undefined;
    const lines = text.split(/\r\n|\r|\n/);
    for (const [i, rawLine] of lines.entries()) {
      let line = rawLine.trim();
      if (selfName && i === 0) {
        const addressed = new RegExp(`^${escapeRegExp(selfName)}[:,]\\s*`, "i");
        if (addressed.test(line)) line = this.prefix + line.replace(addressed, "");
      }
      const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(line);
      if (!m) continue;
      const word = m[1].toLowerCase();
      const cmd = this.byName.get(word);
      if (cmd) {
        // A `!` command takes the rest of the message (multi-line arguments); `#` commands take one line each.
        const args = cmd.prefix ? (m[2] ?? "") : [m[2] ?? "", ...lines.slice(i + 1)].join("\n").trim();
        invocations.push({ command: cmd, name: word, args: args.trim() });
        if (!cmd.prefix) break;
      } else if (
        i === 0 &&
        word.startsWith(this.prefix) &&
        word.length > this.prefix.length &&
        /^[\w-]+$/.test(word.slice(this.prefix.length))
      ) {
        unknown = word.slice(this.prefix.length);
        break;
      }
    }
    return { invocations, unknown };
  }

  /** Closest known command name, for "unknown command — did you mean …". */
  names(): string[] {
    return this.all.filter((c) => !c.prefix).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Splits arguments on whitespace, keeping "quoted phrases" together. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A UserError that shows the command's usage line. */
export function usageError(cmd: Pick<CommandSpec, "usage">, why?: string): UserError {
  return new UserError(`${why ? `${why}. ` : ""}Usage: ${cmd.usage}`);
}

/** One line per command, from the declarations: what `!help` shows. */
export function helpLines(commands: readonly AnyCommand[], prefix: string): string[] {
  return commands
    .filter((c) => !c.prefix)
    .map((c) => `${prefix}${c.name} — ${c.summary}${c.permission === "anyone" ? "" : ` (${c.permission})`}`);
}

export function helpFor(cmd: AnyCommand, prefix: string): string {
  const p = cmd.prefix ?? prefix;
  const aliases = cmd.aliases?.length ? ` Also: ${cmd.aliases.map((a) => p + a).join(", ")}.` : "";
  const ex = cmd.examples.length ? ` Example: ${cmd.examples[0].input}` : "";
  return `${cmd.summary}. Usage: ${cmd.usage}.${aliases}${ex}`;
}
