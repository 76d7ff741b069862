/**
 * Reading back, from each real server, what crier delivered in a chaos run — and counting it: every message
 * `<sender>-<n>` must arrive on every other platform exactly once and in per-sender order.
 */
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { ThreeNetworks } from "./testbed.js";

export interface Arrival {
  sender: string;
  n: number;
}

type RawEvent = { event_id: string; sender: string; type: string; content: Record<string, unknown> };

/**
 * Follows a Matrix room from now on (forward pagination from the room's current end), so that reading what arrived
 * costs the homeserver only the new events, however often a test asks.
 */
export class MatrixFollower {
  readonly events: RawEvent[] = [];
  private token: string | undefined;

  constructor(
    private readonly user: MatrixTestUser,
    private readonly room: string,
  ) {}

  private path(q: string): string {
    return `/_matrix/client/v3/rooms/${encodeURIComponent(this.room)}/messages?${q}`;
  }

  async start(): Promise<void> {
    const res = await this.user.request("GET", this.path("dir=b&limit=1"));
    this.token = res.start;
  }

  async poll(): Promise<RawEvent[]> {
    for (let page = 0; page < 20; page++) {
      const res = await this.user.request("GET", this.path(`dir=f&limit=500&from=${encodeURIComponent(this.token!)}`));
      this.events.push(...res.chunk);
      if (res.end) this.token = res.end;
      if (!res.chunk.length || !res.end) break;
    }
    return this.events;
  }
}

const TOKEN = /(?:^|\s)([a-z]+)-(\d+)$/;

export function parseArrival(text: string): Arrival | undefined {
  const m = TOKEN.exec(text.trim());
  return m ? { sender: m[1], n: Number(m[2]) } : undefined;
}

/** Every message in one platform message: crier combines a sender's backlog into one message of several lines. */
export function parseArrivals(text: string): Arrival[] {
  return text.split("\n").flatMap((line) => parseArrival(line) ?? []);
}

/** IRC lines crier sent, seen by one IRC person across reconnects; a history replay repeats a msgid, counted once. */
export function ircArrivals(seen: string[]): Arrival[] {
  const byMsgid = new Map<string, { a: Arrival; time: string }>();
  for (const line of seen) {
    if (!/^@\S+ :crier_?!\S+ PRIVMSG /.test(line)) continue;
    const a = parseArrival(ThreeNetworks.ircText(line));
    if (!a) continue;
    const tags = Object.fromEntries(
      line
        .slice(1, line.indexOf(" "))
        .split(";")
        .map((kv) => kv.split("=")),
    );
    byMsgid.set(tags.msgid ?? line, { a, time: tags.time ?? "" });
  }
  return [...byMsgid.values()].sort((x, y) => x.time.localeCompare(y.time)).map((v) => v.a);
}

export interface Counts {
  sent: number;
  delivered: number;
  lost: number;
  doubled: number;
  outOfOrder: number;
  /** What went wrong, for the failure message. */
  notes: string[];
}

/** Checks one target's arrivals against what each other sender sent. */
export function tally(target: string, arrivals: Arrival[], sent: Map<string, number>, counts: Counts): void {
  for (const [sender, total] of sent) {
    const mine = arrivals.filter((a) => a.sender === sender).map((a) => a.n);
    const seen = new Map<number, number>();
    for (const n of mine) seen.set(n, (seen.get(n) ?? 0) + 1);
    for (let i = 0; i < total; i++) {
      const c = seen.get(i) ?? 0;
      if (c === 0) counts.lost++;
      else counts.delivered++;
      if (c > 1) {
        counts.doubled += c - 1;
        counts.notes.push(`${target}: ${sender}-${i} ${c} times`);
      }
    }
    for (let i = 1; i < mine.length; i++) {
      if (mine[i] >= mine[i - 1]) continue;
      counts.outOfOrder++;
      counts.notes.push(`${target}: ${sender}-${mine[i]} after ${sender}-${mine[i - 1]}`);
    }
  }
}

/** What crier delivered to each platform, as the person reading it there saw it. */
export interface ThreeArrivals {
  irc: Arrival[];
  matrix: Arrival[];
  discord: Arrival[];
}

/** Each platform, its arrivals and the person reading them there (their own messages do not come back to them). */
const READERS = [
  ["IRC", "irc", "ivan"],
  ["Matrix", "matrix", "mara"],
  ["Discord", "discord", "dora"],
] as const;

/** What everyone but `me` has sent so far: what must arrive where `me` reads. */
export function othersOf(sent: ReadonlyMap<string, number>, me: string): Map<string, number> {
  return new Map([...sent].filter(([s]) => s !== me));
}

/** Whether every message sent so far has arrived (at least once) on every other platform. */
export function allArrived(a: ThreeArrivals, sent: ReadonlyMap<string, number>): boolean {
  return READERS.every(([, key, me]) =>
    [...othersOf(sent, me)].every(([s, n]) => new Set(a[key].filter((x) => x.sender === s).map((x) => x.n)).size >= n),
  );
}

/** What has not arrived yet, per platform and sender, with the first `shown` missing numbers (for a timeout's message). */
export function missingOf(a: ThreeArrivals, sent: ReadonlyMap<string, number>, shown: number): string {
  const out: string[] = [];
  for (const [target, key, me] of READERS) {
    for (const [s, n] of othersOf(sent, me)) {
      const have = new Set(a[key].filter((x) => x.sender === s).map((x) => x.n));
      const gone = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
      if (gone.length) out.push(`${target} lacks ${gone.length} of ${s}'s: ${gone.slice(0, shown).join(",")}`);
    }
  }
  return out.join("; ");
}

/** The counts over all three platforms once the run is over (tally for each). */
export function tallyAll(a: ThreeArrivals, sent: ReadonlyMap<string, number>, total: number): Counts {
  const counts: Counts = { sent: total, delivered: 0, lost: 0, doubled: 0, outOfOrder: 0, notes: [] };
  for (const [target, key, me] of READERS) tally(target, a[key], othersOf(sent, me), counts);
  return counts;
}

/**
 * Copies into `into` every line an IRC client receives from now on, and with `past` those it already had: the
 * record goes on across reconnects, where the test watches each new client into the same array.
 */
export function recordLines(into: string[], client: { lines: string[] }, past = true): void {
  if (past) into.push(...client.lines);
  const push = client.lines.push.bind(client.lines);
  client.lines.push = (...items: string[]) => {
    into.push(...items);
    return push(...items);
  };
}
