/**
 * The person at the console: a prompt naming the room they talk in, line editing and history (node:readline when
 * the input is a terminal), and a few slash keys to move between the console's rooms or act as someone else.
 * Lines typed here become chat events; crier's output is printed above the prompt without breaking what is typed.
 */
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/** A typed line is cut here (a pasted file must not become one huge event). */
const MAX_LINE_CHARS = 4000;
const HISTORY_SIZE = 500;

export interface TypedLine {
  text: string;
  room: string;
  user: string;
  action?: boolean;
}

export const CONSOLE_KEYS_HELP = [
  "/room NAME — talk in room NAME from now on (/room NAME TEXT says one line there)",
  "/rooms — list this console's rooms",
  "/as NAME — speak as another person (try !attend as two people); /as alone goes back",
  "/me TEXT — an action",
  "/help — these keys; !help lists crier's commands",
].join("\n");

export class ConsoleTerminal {
  private room: string;
  private user: string;
  private rl: Interface | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly rooms: readonly string[],
    private readonly defaultUser: string,
    private readonly input: Readable,
    private readonly output: Writable | undefined,
    private readonly onLine: (line: TypedLine) => void,
  ) {
    this.room = rooms[0];
    this.user = defaultUser;
    this.tty = !!(input as { isTTY?: boolean }).isTTY && !!(output as { isTTY?: boolean } | undefined)?.isTTY;
  }

  start(): void {
    this.rl = createInterface({
      input: this.input,
      output: this.tty ? this.output : undefined,
      terminal: this.tty,
      historySize: HISTORY_SIZE,
      prompt: this.promptText(),
    });
    this.rl.on("line", (line) => {
      this.handle(line.slice(0, MAX_LINE_CHARS));
      this.prompt();
    });
    // Ctrl-C at the prompt is the same as a signal: crier stops gracefully (readline would swallow it otherwise).
    this.rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
    this.prompt();
  }

  stop(): void {
    this.rl?.close();
    this.rl = undefined;
  }

  /** Prints a line of output above the prompt, keeping whatever the person has half typed. */
  print(line: string): void {
    if (!this.output) return;
    if (this.tty && this.rl) {
      this.output.write("\r\x1b[K");
      this.output.write(`${line}\n`);
      this.rl.prompt(true);
    } else {
      this.output.write(`${line}\n`);
    }
  }

  private promptText(): string {
    return `[${this.room}] ${this.user}> `;
  }

  private prompt(): void {
    if (!this.tty || !this.rl) return;
    this.rl.setPrompt(this.promptText());
    this.rl.prompt(true);
  }

  private handle(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    const key = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(line);
    const reply = key ? this.consoleKey(key[1].toLowerCase(), (key[2] ?? "").trim()) : undefined;
    if (reply === undefined) this.onLine({ text: line, room: this.room, user: this.user });
    else if (reply) this.print(reply);
  }

  /**
   * Runs a console key; returns what to print ("" for nothing), or undefined when the line is not a console key
   * (crier's own commands may use a "/" prefix too, so such lines go on to crier).
   */
  private consoleKey(name: string, rest: string): string | undefined {
    switch (name) {
      case "room": {
        const [target, ...words] = rest.split(/\s+/).filter(Boolean);
        if (!target) return `(you are in ${this.room}; rooms: ${this.rooms.join(", ")})`;
        if (!this.rooms.includes(target))
          return `(no room "${target.slice(0, 40)}" here; rooms: ${this.rooms.join(", ")})`;
        if (words.length) {
          this.onLine({ text: words.join(" "), room: target, user: this.user });
          return "";
        }
        this.room = target;
        return `(now talking in ${target})`;
      }
      case "rooms":
        return `(rooms: ${this.rooms.map((r) => (r === this.room ? `${r} ←` : r)).join(", ")})`;
      case "as": {
        const who = rest.split(/\s+/)[0];
        this.user = who ? who.slice(0, 40) : this.defaultUser;
        return `(speaking as ${this.user})`;
      }
      case "me":
        if (rest) this.onLine({ text: rest, room: this.room, user: this.user, action: true });
        return "";
      case "help":
        return CONSOLE_KEYS_HELP;
      default:
        return undefined;
    }
  }
}
