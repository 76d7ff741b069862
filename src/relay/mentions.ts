/**
 * Addresses of people present in a link's rooms become native mentions on the other platforms. What counts as an
 * address, on every platform alike: the name a message begins with (`carol: …`, `carol, …`, `Alice Liddell: …`),
 * `@name` anywhere (also `@alice:example.org`), and explicit mentions (Matrix pills, Discord `<@id>`). A name means
 * someone only when exactly one person present goes by it (case-folded, confusable skeleton); an ambiguous or unknown
 * name stays text, and names of whole rooms (`@everyone`, `@here`, `@room`) never mean anyone. On the target, a
 * person's linked identity there wins over anything else.
 */
import type { RoomRef, UserRef } from "../core/model.js";
import { userKey } from "../core/model.js";
import type { RichNode, RichText } from "../core/richtext.js";
import type { Identity } from "../services/identity.js";
import { nameKeys } from "./name-keys.js";
import type { Present } from "./names.js";

/** Words that address a whole room on some platform: never a person's name. */
const ROOM_WORDS = new Set(["everyone", "here", "room", "channel", "all", "everybody"]);
/** Longest name a message may begin with (a display name with spaces), and longest `@name`. */
const MAX_LEADING = 64;
/** At most this many different names are looked up per message: a message full of `@x` costs no more. */
const MAX_CANDIDATES = 20;
/** Descent into formatting is bounded (the parsers already flatten deeper nesting; this is the relay's own cap). */
const MAX_DEPTH = 64;

const LEADING = new RegExp(`^(\\s*)(@?[^\\s:,@][^:,\\n]{0,${MAX_LEADING - 1}}?)\\s*[:,](?=\\s|$)`, "u");
const AT_NAME = /(^|[\s(])@([^\s@<>,;!?()[\]{}"'`*|\\]{1,64})/gu;

/** Whom a person is on one target account, if anyone. */
export type TargetOf = (personId: string, targetAccount: string, targetRoom: string) => UserRef | undefined;

const ROOM_KEYS = new Set([...ROOM_WORDS].flatMap((w) => nameKeys(w)));
const isRoomWord = (typed: string) => nameKeys(typed).some((k) => ROOM_KEYS.has(k));
const trimTail = (s: string) => s.replace(/[.:]+$/u, "");

/** The names a body addresses in text: the one it begins with, and every `@name` (bounded). */
export function typedAddresses(body: RichText): string[] {
  const out = new Set<string>();
  const first = body[0];
  if (first?.t === "text") {
    const m = LEADING.exec(first.text);
    if (m) out.add(m[2]);
  }
  const stack: Array<{ nodes: RichText; depth: number }> = [{ nodes: body, depth: 0 }];
  while (stack.length && out.size < MAX_CANDIDATES) {
    const { nodes, depth } = stack.pop()!;
    for (const n of nodes) {
      if (n.t === "text") for (const m of n.text.matchAll(AT_NAME)) out.add(`@${trimTail(m[2])}`);
      else if (n.t === "mention") out.add(n.name);
      else if ("children" in n && n.t !== "link" && depth < MAX_DEPTH)
        stack.push({ nodes: n.children, depth: depth + 1 });
    }
  }
  return [...out].slice(0, MAX_CANDIDATES).filter((t) => !isRoomWord(t));
}

/** The one person among `present` who goes by `typed`, or undefined (nobody, or more than one). */
export async function personNamed(typed: string, present: readonly Present[], identity: Identity) {
  const keys = nameKeys(typed);
  if (!keys.length) return undefined;
  let found: string | undefined;
  const seen = new Set<string>();
  for (const { member } of present) {
    const key = userKey(member.user);
    if (seen.has(key)) continue;
    if (!member.names.some((n) => nameKeys(n).some((k) => keys.includes(k)))) continue;
    seen.add(key);
    const person = await identity.personId(member.user);
    if (found && found !== person) return undefined;
    found = person;
  }
  return found;
}

/**
 * Everything the relay needs to translate one message's addresses: which typed names mean whom, and who of the
 * explicitly mentioned people is in the source room (they are meant as themselves: only a linked identity of theirs
 * may be pinged elsewhere).
 */
export interface Addressees {
  byName: Map<string, string>;
  inSource: Set<string>;
}

export async function findAddressees(
  body: RichText,
  source: RoomRef,
  present: readonly Present[],
  identity: Identity,
): Promise<Addressees> {
  const byName = new Map<string, string>();
  for (const typed of typedAddresses(body)) {
    const person = await personNamed(typed, present, identity);
    if (person) byName.set(typed, person);
  }
  const inSource = new Set(
    present
      .filter((p) => p.room.account === source.account && p.room.room === source.room)
      .map((p) => userKey(p.member.user)),
  );
  return { byName, inSource };
}

/**
 * The body for one target with addresses made mentions of whom they mean there. `explicit` resolves explicit
 * mention nodes through linked identities (tried first); `targetOf` finds a named person on the target.
 */
export function addressFor(
  body: RichText,
  found: Addressees,
  target: RoomRef,
  targetOf: TargetOf,
  explicit: (user: UserRef) => UserRef | undefined,
): { body: RichText; allowed: string[] } {
  const allowed: string[] = [];
  const mention = (typed: string): RichNode | undefined => {
    const person = found.byName.get(typed);
    const user = person ? targetOf(person, target.account, target.room) : undefined;
    if (!user) return undefined;
    allowed.push(user.id);
    return { t: "mention", name: typed, user };
  };
  const splitText = (s: string, leading: boolean): RichNode[] => {
    const out: RichNode[] = [];
    let rest = s;
    if (leading) {
      const m = LEADING.exec(s);
      const node = m ? mention(m[2]) : undefined;
      if (m && node) {
        if (m[1]) out.push({ t: "text", text: m[1] });
        out.push(node);
        rest = s.slice(m[1].length + m[2].length);
      }
    }
    let last = 0;
    for (const m of rest.matchAll(AT_NAME)) {
      const name = trimTail(m[2]);
      const node = mention(`@${name}`);
      if (!node) continue;
      const start = (m.index ?? 0) + m[1].length;
      if (start > last) out.push({ t: "text", text: rest.slice(last, start) });
      out.push(node);
      last = start + 1 + name.length;
    }
    if (last < rest.length) out.push({ t: "text", text: rest.slice(last) });
    return out;
  };
  const map = (nodes: RichText, depth: number): RichText =>
    nodes.flatMap((n, i): RichNode[] => {
      if (n.t === "text") return splitText(n.text, depth === 0 && i === 0);
      if (n.t === "mention") {
        const linked = n.user ? explicit(n.user) : undefined;
        if (linked) {
          allowed.push(linked.id);
          return [{ t: "mention", name: linked.name || n.name, user: linked }];
        }
        // A mention of someone in the source room means them; a pill of someone not there is read as a name.
        const asName = !n.user || !found.inSource.has(userKey(n.user)) ? mention(n.name) : undefined;
        return [asName ?? { t: "mention", name: n.name }];
      }
      if ("children" in n && n.t !== "link" && depth < MAX_DEPTH)
        return [{ ...n, children: map(n.children, depth + 1) } as RichNode];
      return [n];
    });
  return { body: map(body, 0), allowed: [...new Set(allowed)] };
}
