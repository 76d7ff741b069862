/**
 * What one relayed message needs for all its targets, looked up once: the name its sender is shown under, and its
 * body per target with addresses of people present made native mentions there. Store reads are bounded per message
 * (MAX_MENTION_LOOKUPS), however many people it names.
 */
import type { Adapter } from "../core/adapter.js";
import type { EditEvent, MessageEvent, RoomRef, UserRef } from "../core/model.js";
import { userKey } from "../core/model.js";
import { type RichText, walk } from "../core/richtext.js";
import type { Identity } from "../services/identity.js";
import type { LinkConfig } from "../config/sections/links.js";
import { linksOf } from "./links.js";
import { addressFor, findAddressees, type TargetOf } from "./mentions.js";
import type { Present, SenderNames } from "./names.js";
import { type PuppetIn, puppetsOf } from "./puppets.js";

/** People one message may mention natively; the store is read once for each of them. */
export const MAX_MENTION_LOOKUPS = 20;

export interface AddressingDeps {
  adapters: ReadonlyMap<string, Adapter>;
  identity: Identity;
  names: SenderNames;
  links: readonly LinkConfig[];
}

export interface Addressed {
  /** The sender under the name shown for them (one that cannot pass for someone else in the link's rooms). */
  sender: UserRef;
  /** The sender as a virtual user in a room of an account (their person's when linked: puppets.ts). */
  puppetIn: PuppetIn;
  /** The body for one target room, and the ids it may ping there. */
  translate(target: RoomRef): { body: RichText; allowed: string[] };
}

export async function addressMessage(deps: AddressingDeps, event: MessageEvent | EditEvent): Promise<Addressed> {
  const present = await deps.names.present(scopeOf(deps.links, event.room));
  const sender: UserRef = { ...event.sender, name: await deps.names.shown(event.sender, present) };
  const puppetIn = await puppetsOf(deps, event.sender);
  const found = await findAddressees(event.body, event.room, present, deps.identity);
  const targetOf = await targetsOf(deps.identity, [...new Set(found.byName.values())], present);
  const explicit = await mentionResolver(deps.identity, event.body);
  const translate = (target: RoomRef) =>
    addressFor(event.body, found, target, targetOf, (u) => explicit(u, target.account));
  return { sender, puppetIn, translate };
}

/** Every room of every link the room belongs to: where a name must not pass for someone else's. */
function scopeOf(links: readonly LinkConfig[], room: RoomRef): RoomRef[] {
  const seen = new Map<string, RoomRef>();
  for (const link of linksOf(links, room))
    for (const r of link.rooms) seen.set(`${r.account}/${r.room}`, { account: r.account, room: r.room });
  return [...seen.values()];
}

/** Where each named person can be mentioned: a linked identity on the target account, one present there first. */
async function targetsOf(identity: Identity, people: string[], present: readonly Present[]): Promise<TargetOf> {
  const ids = new Map<string, string[]>();
  for (const p of people.slice(0, MAX_MENTION_LOOKUPS)) ids.set(p, await identity.identitiesOf(p));
  return (person, account, room) => {
    const mine = (ids.get(person) ?? []).filter((k) => k.startsWith(`${account}:`));
    const here = present.find(
      (p) => p.room.account === account && p.room.room === room && mine.includes(userKey(p.member.user)),
    );
    if (here) return here.member.user;
    const any = present.find((p) => mine.includes(userKey(p.member.user)));
    if (any) return any.member.user;
    return mine.length ? { account, id: mine[0].slice(account.length + 1), name: "" } : undefined;
  };
}

/**
 * Looks up, once per message, every identity of every mentioned person — at most MAX_MENTION_LOOKUPS people: a
 * message naming thousands costs a bounded number of store reads, and the rest stay names (they ping no one).
 */
async function mentionResolver(identity: Identity, body: RichText) {
  const people = new Map<string, string[]>();
  const users = new Map<string, UserRef>();
  walk(body, (n) => {
    if (n.t === "mention" && n.user && users.size < MAX_MENTION_LOOKUPS) users.set(userKey(n.user), n.user);
  });
  for (const [key, u] of users) people.set(key, await identity.identitiesOf(await identity.personId(u)));
  return (user: UserRef, targetAccount: string): UserRef | undefined => {
    const ids = people.get(userKey(user)) ?? [];
    const hit = ids.find((k) => k.startsWith(`${targetAccount}:`));
    return hit ? { account: targetAccount, id: hit.slice(targetAccount.length + 1), name: user.name } : undefined;
  };
}
