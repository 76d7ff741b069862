/** A tiny raw IRC client for tests: it sees every line the server sends it, exactly as sent. */
import { connect, type Socket } from "node:net";
import { waitUntil } from "./ports.js";

export class RawIrcClient {
  readonly lines: string[] = [];
  private sock!: Socket;
  private buf = Buffer.alloc(0);

  constructor(
    readonly nick: string,
    private readonly port: number,
    private readonly caps: string[] = ["server-time", "message-tags"],
  ) {}

  async connect(): Promise<void> {
    this.sock = connect(this.port, "127.0.0.1");
    this.sock.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (let i = this.buf.indexOf("\r\n"); i >= 0; i = this.buf.indexOf("\r\n")) {
        const line = this.buf.subarray(0, i).toString("utf8");
        this.buf = this.buf.subarray(i + 2);
        this.lines.push(line);
        const ping = /^PING (.*)$/.exec(line);
        if (ping) this.send(`PONG ${ping[1]}`);
      }
    });
    this.sock.on("error", () => undefined);
    await new Promise<void>((r) => this.sock.once("connect", () => r()));
    if (this.caps.length) this.send(`CAP REQ :${this.caps.join(" ")}`);
    this.send(`NICK ${this.nick}`);
    this.send(`USER ${this.nick} 0 * :${this.nick}`);
    if (this.caps.length) this.send("CAP END");
    await this.waitFor(/ 001 /);
  }

  send(line: string): void {
    this.sock.write(`${line}\r\n`);
  }

  async join(channel: string): Promise<void> {
    this.send(`JOIN ${channel}`);
    await this.waitFor(new RegExp(`:${this.nick}!\\S+ JOIN :?${channel.replace(/[#[\]]/g, "\\$&")}`));
  }

  say(target: string, text: string): void {
    this.send(`PRIVMSG ${target} :${text}`);
  }

  async waitFor(re: RegExp, ms = 10_000): Promise<string> {
    let hit: string | undefined;
    await waitUntil(
      `${this.nick} to see ${re}`,
      () => {
        hit = this.lines.find((l) => re.test(l));
        return !!hit;
      },
      ms,
    );
    return hit!;
  }

  /** Lines the server relayed from others (PRIVMSG/NOTICE), without tags. */
  messages(from?: string): string[] {
    return this.lines
      .map((l) => l.replace(/^@\S+ /, ""))
      .filter((l) => / (PRIVMSG|NOTICE) /.test(l) && (!from || l.startsWith(`:${from}!`)));
  }

  close(): void {
    try {
      this.send("QUIT :bye");
    } catch {
      // already closed
    }
    this.sock.destroy();
  }
}
