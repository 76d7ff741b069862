/**
 * The people at both ends of a measured line, each noting when a line reached it (Date.now() in this process, the
 * clock the sender's "said at" is read from): an IRC client that stamps every line as its socket delivers it, and
 * a Matrix user whose /sync long poll stamps every timeline event as it arrives. Tokens `zq<round>x<n>` mark the
 * measured lines; a combined multi-line event carries several.
 */
import { connect, type Socket } from "node:net";
import type { MatrixTestUser } from "../test/testbed/synapse-client.js";
import { sleep } from "./_process.js";

/** Where a token arrived and when (ms since the epoch). */
export type Arrivals = Map<number, number>;

const TOKENS = /\bzq(\d+)x(\d+)\b/g;

export const token = (round: number, n: number) => `zq${round}x${n}`;

/** Collects, for one round, the first arrival of each of its tokens in `rooms` from a sender `from` accepts. */
export class Collector {
  readonly arrivals: Arrivals = new Map();
  private readonly rooms: Set<string>;
  constructor(
    readonly round: number,
    rooms: string | string[],
    readonly from: (sender: string) => boolean,
  ) {
    this.rooms = new Set(typeof rooms === "string" ? [rooms] : rooms);
  }

  offer(room: string, sender: string, text: string, at: number): void {
    if (!this.rooms.has(room) || !this.from(sender)) return;
    for (const m of text.matchAll(TOKENS))
      if (Number(m[1]) === this.round && !this.arrivals.has(Number(m[2]))) this.arrivals.set(Number(m[2]), at);
  }
}

abstract class Watcher {
  private readonly collectors = new Set<Collector>();

  collect(c: Collector): Collector {
    this.collectors.add(c);
    return c;
  }

  drop(c: Collector): void {
    this.collectors.delete(c);
  }

  protected collecting(): boolean {
    return this.collectors.size > 0;
  }

  protected offer(room: string, sender: string, text: string, at: number): void {
    for (const c of this.collectors) c.offer(room, sender, text, at);
  }
}

/** A raw IRC client that stamps what it receives; it also says the measured lines. */
export class TimedIrcClient extends Watcher {
  private sock!: Socket;
  private buf = "";
  private welcomed: () => void = () => undefined;
  private readonly joined = new Set<string>();

  constructor(
    readonly nick: string,
    private readonly port: number,
  ) {
    super();
  }

  async connect(): Promise<void> {
    this.sock = connect(this.port, "127.0.0.1");
    this.sock.setNoDelay(true);
    this.sock.on("data", (d: Buffer) => {
      const at = Date.now();
      this.buf += d.toString("utf8");
      for (let i = this.buf.indexOf("\r\n"); i >= 0; i = this.buf.indexOf("\r\n")) {
        this.line(this.buf.slice(0, i), at);
        this.buf = this.buf.slice(i + 2);
      }
    });
    this.sock.on("error", () => undefined);
    await new Promise<void>((r) => this.sock.once("connect", () => r()));
    const welcome = new Promise<void>((r) => {
      this.welcomed = r;
    });
    this.send(`NICK ${this.nick}`);
    this.send(`USER ${this.nick} 0 * :${this.nick}`);
    await welcome;
  }

  private line(line: string, at: number): void {
    if (line.startsWith("PING ")) {
      this.send(`PONG ${line.slice(5)}`);
      return;
    }
    const m = /^:([^!\s]+)\S* (\S+) (\S+)(?: :?(.*))?$/.exec(line);
    if (!m) return;
    const [, sender, command, target, text = ""] = m;
    if (command === "001") this.welcomed();
    else if (command === "JOIN" && sender === this.nick) this.joined.add(target.replace(/^:/, ""));
    else if (command === "PRIVMSG" || command === "NOTICE") this.offer(target, sender, text, at);
  }

  send(line: string): void {
    this.sock.write(`${line}\r\n`);
  }

  async join(channel: string): Promise<void> {
    this.send(`JOIN ${channel}`);
    for (let i = 0; i < 200 && !this.joined.has(channel); i++) await sleep(50);
    if (!this.joined.has(channel)) throw new Error(`${this.nick} could not join ${channel}`);
  }

  /** Says `text` in `channel`; returns the moment it was handed to the socket. */
  say(channel: string, text: string): number {
    const at = Date.now();
    this.send(`PRIVMSG ${channel} :${text}`);
    return at;
  }

  close(): void {
    this.sock.end("QUIT :bye\r\n");
    this.sock.destroy();
  }
}

/** A Matrix user's /sync loop (long poll), stamping timeline events of every room it is in as they arrive. */
export class MatrixSyncWatcher extends Watcher {
  private since = "";
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(readonly user: MatrixTestUser) {
    super();
  }

  private async sync(timeout: number): Promise<void> {
    const filter = JSON.stringify({
      presence: { not_types: ["*"] },
      account_data: { not_types: ["*"] },
      room: { timeline: { limit: 1000 }, state: { lazy_load_members: true }, ephemeral: { not_types: ["*"] } },
    });
    const q = `timeout=${timeout}&filter=${encodeURIComponent(filter)}${this.since ? `&since=${encodeURIComponent(this.since)}` : ""}`;
    const res = await fetch(`${this.user.base}/_matrix/client/v3/sync?${q}`, {
      headers: { authorization: `Bearer ${this.user.token}` },
      signal: this.abort.signal,
    });
    const at = Date.now();
    if (!res.ok) throw new Error(`sync: ${res.status}`);
    const body = (await res.json()) as {
      next_batch: string;
      rooms?: {
        join?: Record<
          string,
          { timeline?: { limited?: boolean; events: { sender: string; content: { body?: string } }[] } }
        >;
      };
    };
    if (this.since)
      for (const [room, r] of Object.entries(body.rooms?.join ?? {})) {
        if (r.timeline?.limited && this.collecting())
          process.stderr.write(`bench: a /sync of ${room} was limited (events skipped)\n`);
        for (const e of r.timeline?.events ?? []) this.offer(room, e.sender, String(e.content?.body ?? ""), at);
      }
    this.since = body.next_batch;
  }

  /** Starts following from now (the history before is not offered). */
  async start(): Promise<void> {
    await this.sync(0);
    this.running = true;
    this.loop = (async () => {
      while (this.running)
        await this.sync(30_000).catch(async (err) => {
          if (this.running) {
            process.stderr.write(`bench: ${this.user.userId} /sync failed: ${(err as Error).message}\n`);
            await sleep(500);
          }
        });
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }
}

/** p-th percentile (0–100) of sorted numbers, nearest rank; undefined for none. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Latencies of the tokens that arrived, given when each was said, sorted. */
export function latencies(said: number[], arrivals: Arrivals): number[] {
  return [...arrivals].map(([n, at]) => at - said[n]).sort((a, b) => a - b);
}

/** Says `count` lines at `rate` per second through `say(n)` (which returns the moment it said it). */
export async function paced(count: number, rate: number, say: (n: number) => number): Promise<number[]> {
  const said: number[] = [];
  const t0 = Date.now();
  for (let n = 0; n < count; n++) {
    const wait = t0 + (n * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    said[n] = say(n);
  }
  return said;
}

/** Waits until `arrivals` holds `count` tokens, `quietMs` pass without a new one, or `capMs` pass in all. */
export async function drained(arrivals: Arrivals, count: number, quietMs: number, capMs: number): Promise<void> {
  let seen = arrivals.size;
  let quietSince = Date.now();
  const end = Date.now() + capMs;
  while (arrivals.size < count && Date.now() < end) {
    await sleep(100);
    if (arrivals.size !== seen) {
      seen = arrivals.size;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > quietMs) return;
  }
}
