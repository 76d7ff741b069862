/**
 * The persisted message map: one logical message (keyed by its origin room and native id) and every native id it
 * produced in every room. Edits, deletes, replies and reactions follow it. Every lookup is scoped to the room it
 * came from, and edits/deletes are checked against the original author, so an id from another room or someone
 * else's message can never steer what crier does.
 */
import type { RoomRef } from "../core/model.js";
import type { Migration, Queryable, Store } from "../store/store.js";

export const messageMapMigrations: Migration[] = [
  {
    id: "relay/1-message-map",
    sql: `CREATE TABLE relay_messages (msg_key TEXT PRIMARY KEY, author_key TEXT NOT NULL, author_name TEXT NOT NULL,
            origin_account TEXT NOT NULL, origin_room TEXT NOT NULL, excerpt TEXT NOT NULL, created_at BIGINT NOT NULL);
          CREATE INDEX relay_messages_age ON relay_messages (created_at);
          CREATE TABLE relay_ids (account TEXT NOT NULL, room TEXT NOT NULL, native_id TEXT NOT NULL, msg_key TEXT NOT NULL,
            is_origin INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (account, room, native_id));
          CREATE INDEX relay_ids_msg ON relay_ids (msg_key, account, room);
          CREATE TABLE relay_link_state (name TEXT PRIMARY KEY, paused INTEGER NOT NULL)`,
  },
];

export const messageKey = (room: RoomRef, nativeId: string): string => `${room.account}/${room.room}/${nativeId}`;

export interface MappedMessage {
  msgKey: string;
  authorKey: string;
  authorName: string;
  excerpt: string;
  isOrigin: boolean;
}

export interface OriginRecord {
  room: RoomRef;
  nativeId: string;
  authorKey: string;
  authorName: string;
  /** Short plain-text excerpt, for reply quotes on platforms without native replies. */
  excerpt: string;
  at: number;
}

export class MessageMap {
  constructor(private readonly store: Store) {}

  /** Records an inbound message as the origin of a logical message; false when it was already seen (replay). */
  async recordOrigin(o: OriginRecord, tx: Queryable): Promise<boolean> {
    const { room, nativeId } = o;
    {
      const key = messageKey(room, nativeId);
      const r = await tx.run(
        `INSERT INTO relay_messages (msg_key, author_key, author_name, origin_account, origin_room, excerpt, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (msg_key) DO NOTHING`,
        [key, o.authorKey, o.authorName.slice(0, 200), room.account, room.room, o.excerpt.slice(0, 200), o.at],
      );
      if (!r.changes) return false;
      await tx.run(
        "INSERT INTO relay_ids (account, room, native_id, msg_key, is_origin) VALUES (?, ?, ?, ?, 1) ON CONFLICT (account, room, native_id) DO NOTHING",
        [room.account, room.room, nativeId, key],
      );
      return true;
    }
  }

  /** Records the native ids a relayed copy produced in a target room (inside the outbox's mark-sent transaction). */
  async recordCopy(tx: Queryable, msgKey: string, target: RoomRef, nativeIds: string[]): Promise<void> {
    for (const [i, id] of nativeIds.entries()) {
      await tx.run(
        "INSERT INTO relay_ids (account, room, native_id, msg_key, is_origin, seq) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (account, room, native_id) DO NOTHING",
        [target.account, target.room, id, msgKey, i],
      );
    }
  }

  /** What a native id in this room stands for — only ids seen in this very room are found. */
  async lookup(room: RoomRef, nativeId: string): Promise<MappedMessage | undefined> {
    const row = await this.store.get<{
      msg_key: string;
      author_key: string;
      author_name: string;
      excerpt: string;
      is_origin: number;
    }>(
      `SELECT i.msg_key, m.author_key, m.author_name, m.excerpt, i.is_origin FROM relay_ids i JOIN relay_messages m ON m.msg_key = i.msg_key
       WHERE i.account = ? AND i.room = ? AND i.native_id = ?`,
      [room.account, room.room, nativeId],
    );
    return row
      ? {
          msgKey: row.msg_key,
          authorKey: row.author_key,
          authorName: row.author_name,
          excerpt: row.excerpt,
          isOrigin: !!row.is_origin,
        }
      : undefined;
  }

  /** The native ids of a logical message in one room, in the order they were produced. */
  async idsIn(msgKey: string, room: RoomRef): Promise<string[]> {
    const rows = await this.store.all<{ native_id: string }>(
      "SELECT native_id FROM relay_ids WHERE msg_key = ? AND account = ? AND room = ? ORDER BY seq",
      [msgKey, room.account, room.room],
    );
    return rows.map((r) => r.native_id);
  }

  /** Forgets messages older than the cut-off (edits to them are then ignored). */
  async prune(before: number): Promise<number> {
    return this.store.tx(async (tx) => {
      await tx.run("DELETE FROM relay_ids WHERE msg_key IN (SELECT msg_key FROM relay_messages WHERE created_at < ?)", [
        before,
      ]);
      return (await tx.run("DELETE FROM relay_messages WHERE created_at < ?", [before])).changes;
    });
  }

  async pausedLinks(): Promise<Set<string>> {
    const rows = await this.store.all<{ name: string }>("SELECT name FROM relay_link_state WHERE paused = 1");
    return new Set(rows.map((r) => r.name));
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.store.run(
      "INSERT INTO relay_link_state (name, paused) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET paused = excluded.paused",
      [name, paused ? 1 : 0],
    );
  }
}
