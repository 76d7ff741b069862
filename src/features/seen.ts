/**
 * Who crier has seen, by display name, per account: lets `!time @nick` and agenda owners name people by the name
 * others see. Updated at most once a minute per person so busy rooms do not write on every line.
 */
import type { Feature } from "../core/context.js";
import type { UserRef } from "../core/model.js";
import type { Store } from "../store/store.js";

const WRITE_EVERY_MS = 60_000;
/** Last write per person, per store (one map per running app). */
const recentByStore = new WeakMap<Store, Map<string, number>>();

export const seenFeature: Feature = {
  name: "seen",
  migrations: [
    {
      id: "seen/1-seen-users",
      sql: `CREATE TABLE seen_users (account TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, name_folded TEXT NOT NULL,
              room TEXT NOT NULL, last_seen BIGINT NOT NULL, PRIMARY KEY (account, user_id));
            CREATE INDEX seen_users_name ON seen_users (name_folded)`,
    },
  ],
  async onEvent(event, app) {
    if (event.kind !== "message" || event.fromSelf) return;
    const key = `${event.sender.account}:${event.sender.id}:${event.sender.name}`;
    const now = app.clock.now();
    let recent = recentByStore.get(app.store);
    if (!recent) {
      recent = new Map();
      recentByStore.set(app.store, recent);
    }
    if ((recent.get(key) ?? 0) > now - WRITE_EVERY_MS) return;
    recent.set(key, now);
    if (recent.size > 50_000) recent.clear();
    await app.store.run(
      `INSERT INTO seen_users (account, user_id, name, name_folded, room, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, user_id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, room = excluded.room, last_seen = excluded.last_seen`,
      [
        event.sender.account,
        event.sender.id,
        event.sender.name.slice(0, 100),
        foldName(event.sender.name),
        event.room.room,
        now,
      ],
    );
  },
};

export const foldName = (name: string): string =>
  name.normalize("NFKC").toLowerCase().replace(/^@/, "").trim().slice(0, 100);

/** People by display name or native id, those on the asker's account first, most recently seen first. */
export async function findSeen(store: Store, name: string, preferAccount?: string): Promise<UserRef[]> {
  const folded = foldName(name);
  const rows = await store.all<{ account: string; user_id: string; name: string; last_seen: number }>(
    "SELECT account, user_id, name, last_seen FROM seen_users WHERE name_folded = ? OR user_id = ? ORDER BY last_seen DESC LIMIT 20",
    [folded, name.replace(/^@/, "")],
  );
  rows.sort((a, b) => Number(b.account === preferAccount) - Number(a.account === preferAccount));
  return rows.map((r) => ({ account: r.account, id: r.user_id, name: r.name }));
}
