import type { Config } from "../config/schema.js";
import type { RoomRef } from "./model.js";

/** Expands config targets (link names or `<account>/<room>`) into rooms, each once. */
export function expandTargets(config: Config, targets: readonly string[]): RoomRef[] {
  const out: RoomRef[] = [];
  const seen = new Set<string>();
  const add = (r: RoomRef) => {
    const k = `${r.account}/${r.room}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  };
  for (const t of targets) {
    const slash = t.indexOf("/");
    if (slash > 0) {
      add({ account: t.slice(0, slash), room: t.slice(slash + 1) });
      continue;
    }
    const link = config.links.find((l) => l.name === t);
    for (const r of link?.rooms ?? []) if (r.direction !== "out") add({ account: r.account, room: r.room });
  }
  return out;
}
