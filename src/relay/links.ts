/**
 * Routing between linked rooms: pure functions over the config's links. A message from a room goes to every other
 * room of every link it belongs to, respecting direction (`out` rooms only send, `in` rooms only receive), each
 * target once, never back to the source.
 */
import type { LinkConfig } from "../config/sections/links.js";
import type { RoomRef, UserRef } from "../core/model.js";

export interface Route {
  link: string;
  target: RoomRef;
}

const same = (a: RoomRef, b: { account: string; room: string }) => a.account === b.account && a.room === b.room;

/** Links the room belongs to (any direction). */
export function linksOf(links: readonly LinkConfig[], room: RoomRef): LinkConfig[] {
  return links.filter((l) => l.rooms.some((r) => same(room, r)));
}

/** Where a message said in `source` goes. `paused` names links that relay nothing right now. */
export function routesFrom(
  links: readonly LinkConfig[],
  source: RoomRef,
  paused: ReadonlySet<string> = new Set(),
): Route[] {
  const out: Route[] = [];
  const seen = new Set<string>([`${source.account}/${source.room}`]);
  for (const link of links) {
    if (link.paused || paused.has(link.name)) continue;
    const me = link.rooms.find((r) => same(source, r));
    if (!me || me.direction === "in") continue;
    for (const r of link.rooms) {
      if (r.direction === "out") continue;
      const key = `${r.account}/${r.room}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ link: link.name, target: { account: r.account, room: r.room } });
    }
  }
  return out;
}

/** Glob (`*`, `?`) as a case-insensitive regular expression, for ignore lists of nicks and identities. */
function globRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*+/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
}

/** Each link's ignore list, compiled once per config (a reload brings new arrays, so new entries). */
const compiled = new WeakMap<readonly string[], RegExp[]>();

/**
 * True when a sender must not be relayed by this link: other bridges and bots named in `ignore`, matched against
 * the identity (`account:id`), the native id and the display name.
 */
export function isIgnored(link: LinkConfig, sender: UserRef): boolean {
  if (!link.ignore.length) return false;
  let patterns = compiled.get(link.ignore);
  if (!patterns) {
    patterns = link.ignore.map(globRegExp);
    compiled.set(link.ignore, patterns);
  }
  const forms = [`${sender.account}:${sender.id}`, sender.id, sender.name];
  return patterns.some((re) => forms.some((f) => re.test(f)));
}
