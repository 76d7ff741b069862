/**
 * Who crier has seen, by display name, per account: lets `!time @nick` and agenda owners name people by the name
 * others see. Updated at most once a minute per person so busy rooms do not write on every line.
 */
import type { Feature } from "../core/context.js";
import { foldName } from "../core/fold-name.js";
import type { UserRef } from "../core/model.js";
import type { Store } from "../store/store.js";

const WRITE_EVERY_MS = 60_000;

/** What other parts may ask of the seen feature; its table is its own. */
export interface SeenPeople {
  /** People by display name or native id, those on `preferAccount` first, most recently seen first. */
  find(name: string, preferAccount?: string): Promise<UserRef[]>;
  /** Everyone seen under a display name already folded with `foldName`, at most 20. */
  namedFolded(folded: string): Promise<UserRef[]>;
  /** The name this account's user was last seen under. */
  lastName(user: { account: string; id: string }): Promise<string | undefined>;
}

export function seenFeature(): Feature & SeenPeople {
  /** Last write per person, for this app. */
  const recent = new Map<string, number>();
  let db: Store | undefined;
  const store = (): Store => {
    if (!db) throw new Error("the seen feature is not initialised yet");
    return db;
  };
  return {
    name: "seen",
    migrations: [
      {
        id: "seen/1-seen-users",
        sql: `CREATE TABLE seen_users (account TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, name_folded TEXT NOT NULL,
              room TEXT NOT NULL, last_seen BIGINT NOT NULL, PRIMARY KEY (account, user_id));
            CREATE INDEX seen_users_name ON seen_users (name_folded)`,
      },
    ],
    async init(app) {
      db = app.store;
    },
    async onEvent(event, app) {
      if (event.kind !== "message" || event.fromSelf) return;
      const key = `${event.sender.account}:${event.sender.id}:${event.sender.name}`;
      const now = app.clock.now();
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
    async find(name, preferAccount) {
      const folded = foldName(name);
      const rows = await store().all<{ account: string; user_id: string; name: string; last_seen: number }>(
        "SELECT account, user_id, name, last_seen FROM seen_users WHERE name_folded = ? OR user_id = ? ORDER BY last_seen DESC LIMIT 20",
        [folded, name.replace(/^@/, "")],
      );
      rows.sort((a, b) => Number(b.account === preferAccount) - Number(a.account === preferAccount));
      return rows.map((r) => ({ account: r.account, id: r.user_id, name: r.name }));
    },
    async namedFolded(folded) {
      const rows = await store().all<{ account: string; user_id: string; name: string }>(
        "SELECT account, user_id, name FROM seen_users WHERE name_folded = ? LIMIT 20",
        [folded],
      );
      return rows.map((r) => ({ account: r.account, id: r.user_id, name: r.name }));
    },
    async lastName(user) {
      const seen = await store().get<{ name: string }>(
        "SELECT name FROM seen_users WHERE account = ? AND user_id = ? ORDER BY last_seen DESC",
        [user.account, user.id],
      );
      return seen?.name;
    },
  };
}
