/**
 * The name a relayed message is shown under. Two different people must never be shown under one visible name, from
 * the first message on: a name that looks like (same case-folded confusable skeleton) the name of someone else in the
 * link's rooms, of someone who spoke there lately, of a configured admin, or of crier itself gets the sender's own
 * handle added — `Mallory (@mallory2:example.org)` — the way Matrix clients tell same-named members apart. An admin's
 * names are theirs: they keep them plain. Computed on every message from who is there now, so the plain name comes
 * back as soon as the clash ends (the other left, renamed or has not been seen for a while).
 */
import type { Adapter, RoomMember } from "../core/adapter.js";
import type { RoomRef, UserRef } from "../core/model.js";
import { roomKey, userKey } from "../core/model.js";
import type { Identity } from "../services/identity.js";
import { looksAlike, nameKeys } from "./name-keys.js";

/** Long names are cut before the handle, so the handle always shows. */
const NAME_BEFORE_HANDLE = 24;
/** Someone no platform lists as present still counts this long after they last spoke. */
export const CLASH_WINDOW_MS = 6 * 3_600_000;
/** Recent speakers kept per room (the oldest go first): bounds memory whatever a crowd does. */
const RECENT_PER_ROOM = 500;

export interface NameDeps {
  adapters: ReadonlyMap<string, Adapter>;
  identity: Identity;
  /** Configured admins, `account:id`. */
  admins: readonly string[];
  now: () => number;
}

/** Someone in one of the rooms concerned, listed by the platform or seen speaking. */
export interface Present {
  room: RoomRef;
  member: RoomMember;
}

export class SenderNames {
  private readonly recent = new Map<string, Map<string, { user: UserRef; at: number }>>();

  constructor(private readonly deps: NameDeps) {}

  /** A message was said in a room (relayed or not). */
  spoke(room: RoomRef, user: UserRef): void {
    const key = roomKey(room);
    const list = this.recent.get(key) ?? new Map();
    list.delete(userKey(user));
    list.set(userKey(user), { user, at: this.deps.now() });
    if (list.size > RECENT_PER_ROOM) list.delete(list.keys().next().value as string);
    this.recent.set(key, list);
  }

  /** Someone left the room: whatever name they had no longer clashes. */
  left(room: RoomRef, user: Pick<UserRef, "account" | "id" | "name">): void {
    const list = this.recent.get(roomKey(room));
    if (!list) return;
    list.delete(userKey(user));
    // IRC reports a part by nick; a speaker known by their services account is found by that nick.
    for (const [k, v] of list) if (v.user.account === user.account && v.user.name === user.name) list.delete(k);
  }

  /** Someone changed their name: they no longer hold the old one. */
  renamed(room: RoomRef, user: Pick<UserRef, "account" | "id" | "name">, newName: string): void {
    const list = this.recent.get(roomKey(room));
    if (!list) return;
    for (const v of list.values())
      if (v.user.account === user.account && (v.user.id === user.id || v.user.name === user.name))
        v.user = { ...v.user, name: newName };
  }

  /** Everyone in these rooms: the platforms' member lists, and people who spoke there within the window. */
  async present(rooms: readonly RoomRef[]): Promise<Present[]> {
    const out: Present[] = [];
    const since = this.deps.now() - CLASH_WINDOW_MS;
    for (const room of rooms) {
      const listed =
        (await this.deps.adapters
          .get(room.account)
          ?.members?.(room.room)
          .catch(() => undefined)) ?? [];
      const ids = new Set<string>();
      for (const member of listed) {
        ids.add(member.user.id);
        out.push({ room, member });
      }
      for (const { user, at } of this.recent.get(roomKey(room))?.values() ?? [])
        if (at >= since && !ids.has(user.id)) out.push({ room, member: { user, names: [user.name] } });
    }
    return out;
  }

  /** Names that belong to crier itself, on every account. */
  private ownNames(): string[] {
    return [...this.deps.adapters.values()].map((a) => a.selfName?.()).filter((n): n is string => !!n);
  }

  /** The names each configured admin goes by: what the platform says the id stands for, and how they show now. */
  private adminNames(present: readonly Present[]): Array<{ key: string; names: string[] }> {
    return this.deps.admins.map((key) => {
      const at = key.indexOf(":");
      const account = key.slice(0, at);
      const id = key.slice(at + 1);
      const names = [...(this.deps.adapters.get(account)?.namesOf?.(id) ?? [])];
      for (const p of present)
        if (p.member.user.account === account && p.member.user.id === id) names.push(p.member.user.name);
      return { key, names };
    });
  }

  /** Whether `name` would pass for someone other than `sender` among `present`, an admin, or crier. */
  async clashes(sender: UserRef, name: string, present: readonly Present[]): Promise<boolean> {
    if (this.ownNames().some((n) => looksAlike(name, n))) return true;
    const me = await this.deps.identity.personId(sender);
    for (const admin of this.adminNames(present)) {
      if (!admin.names.some((n) => looksAlike(name, n))) continue;
      // The admin's own names stay plain for them, whoever else holds the same name.
      return (await this.deps.identity.personId(admin.key)) !== me;
    }
    const keys = nameKeys(name);
    const checked = new Set<string>([userKey(sender)]);
    for (const { member } of present) {
      const key = userKey(member.user);
      if (checked.has(key)) continue;
      checked.add(key);
      if (!nameKeys(member.user.name).some((k) => keys.includes(k))) continue;
      if ((await this.deps.identity.personId(member.user)) !== me) return true;
    }
    return false;
  }

  /** The name `sender` is shown under in the rooms of `scope` (every room of the links of the source). */
  async shown(sender: UserRef, present: readonly Present[]): Promise<string> {
    const name = sender.name || sender.id;
    if (!(await this.clashes(sender, name, present))) return name;
    const handle = sender.handle ?? sender.id;
    // A handle that only repeats the name (an IRC nick, `~nick`) says nothing: the account tells them apart then.
    const handleNames = this.deps.adapters.get(sender.account)?.namesOf?.(handle) ?? [handle];
    const tag = [handle, ...handleNames].some((h) => looksAlike(h, name)) ? sender.account : handle;
    return `${[...name].slice(0, NAME_BEFORE_HANDLE).join("")} (${tag})`;
  }
}
