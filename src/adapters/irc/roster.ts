/**
 * Who is in each channel crier sits in (nicks as spelled), and who holds operator status there. IRC announces a nick change or
 * a quit once per connection, not per channel, so the roster says which linked channels it concerns.
 */
// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

const lower = (s: unknown) => String(s).toLowerCase();

export class ChannelRoster {
  /** Channel → lower-cased nick → nick as spelled. */
  private readonly members = new Map<string, Map<string, string>>();
  private readonly ops = new Map<string, Set<string>>();

  /** NAMES reply: everyone in the channel, with their modes. */
  userlist(e: IrcEvent): void {
    const chan = lower(e.channel);
    const all = new Map<string, string>();
    const ops = new Set<string>();
    for (const u of e.users ?? []) {
      all.set(lower(u.nick), String(u.nick));
      if ((u.modes ?? []).some((m: string) => m === "o" || m === "a" || m === "q")) ops.add(lower(u.nick));
    }
    this.members.set(chan, all);
    this.ops.set(chan, ops);
  }

  /** The nicks in a channel, as spelled; undefined for a channel crier is not in. */
  nicks(channel: string): string[] | undefined {
    const set = this.members.get(lower(channel));
    return set && [...set.values()];
  }

  mode(e: IrcEvent): void {
    const set = this.ops.get(lower(e.target));
    if (!set) return;
    for (const m of e.modes ?? []) {
      if (m.mode === "+o" && m.param) set.add(lower(m.param));
      if (m.mode === "-o" && m.param) set.delete(lower(m.param));
    }
  }

  joined(channel: string, nick: string): void {
    const chan = lower(channel);
    if (!this.members.has(chan)) this.members.set(chan, new Map());
    this.members.get(chan)!.set(lower(nick), nick);
  }

  left(channel: string, nick: string): void {
    this.members.get(lower(channel))?.delete(lower(nick));
    this.ops.get(lower(channel))?.delete(lower(nick));
  }

  /** crier itself left: forget the channel; returns who was in it. */
  forget(channel: string): string[] {
    const was = [...(this.members.get(lower(channel))?.keys() ?? [])];
    this.members.delete(lower(channel));
    this.ops.delete(lower(channel));
    return was;
  }

  /** Whether crier shares any channel with this nick (then the server tells it of the nick's changes). */
  has(nick: string): boolean {
    const n = lower(nick);
    for (const set of this.members.values()) if (set.has(n)) return true;
    return false;
  }

  isIn(channel: string, nick: string): boolean {
    return this.members.get(lower(channel))?.has(lower(nick)) ?? false;
  }

  /** The channels a quitting nick was in (it is removed from them). */
  quit(nick: string): string[] {
    const n = lower(nick);
    const out: string[] = [];
    for (const [chan, set] of this.members) if (set.has(n)) out.push(chan);
    for (const chan of out) this.left(chan, n);
    return out;
  }

  /** The channels a renamed nick is in (it is renamed there, operator status kept). */
  rename(from: string, to: string): string[] {
    const [f, t] = [lower(from), lower(to)];
    const out: string[] = [];
    for (const [chan, set] of this.members) {
      if (!set.delete(f)) continue;
      set.set(t, to);
      const ops = this.ops.get(chan);
      if (ops?.delete(f)) ops.add(t);
      out.push(chan);
    }
    return out;
  }

  isOp(channel: string, nick: string): boolean {
    return this.ops.get(lower(channel))?.has(lower(nick)) ?? false;
  }
}
