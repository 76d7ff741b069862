/**
 * People, not accounts: a person is one or more linked identities (`account:nativeId`). Preferences such as the
 * time zone belong to the person, so a zone set on IRC serves the same person on Matrix and Discord.
 * An identity never linked is its own person (person id = its key), so nothing is written until it matters.
 */
import type { UserRef } from "../core/model.js";
import { userKey } from "../core/model.js";
import type { Migration, Queryable, Store } from "../store/store.js";

export const identityMigrations: Migration[] = [
  {
    id: "identity/1-people",
    sql: `CREATE TABLE identities (user_key TEXT PRIMARY KEY, person_id TEXT NOT NULL, name TEXT, linked_at BIGINT NOT NULL);
          CREATE INDEX identities_person ON identities (person_id);
          CREATE TABLE prefs (person_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (person_id, key))`,
  },
];

export class Identity {
  constructor(private readonly store: Store) {}

  /** The person an identity belongs to. */
  async personId(user: Pick<UserRef, "account" | "id"> | string, q: Queryable = this.store): Promise<string> {
    const key = typeof user === "string" ? user : userKey(user);
    const row = await q.get<{ person_id: string }>("SELECT person_id FROM identities WHERE user_key = ?", [key]);
    return row?.person_id ?? key;
  }

  /** The person an identity belongs to when it is linked with at least one other identity (one read), else undefined. */
  async linkedPerson(user: Pick<UserRef, "account" | "id">): Promise<string | undefined> {
    const row = await this.store.get<{ person_id: string; n: number | string }>(
      `SELECT i.person_id, (SELECT COUNT(*) FROM identities o WHERE o.person_id = i.person_id) AS n
         FROM identities i WHERE i.user_key = ?`,
      [userKey(user)],
    );
    return row && Number(row.n) > 1 ? row.person_id : undefined;
  }

  /** Every identity of a person (at least the person's own key when nothing is linked). */
  async identitiesOf(personId: string): Promise<string[]> {
    const rows = await this.store.all<{ user_key: string }>(
      "SELECT user_key FROM identities WHERE person_id = ? ORDER BY user_key",
      [personId],
    );
    return rows.length ? rows.map((r) => r.user_key) : [personId];
  }

  /** Joins the people behind two identities into one; preferences of the first win where both have one. */
  async link(a: string, b: string): Promise<string> {
    return this.store.tx(async (tx) => {
      const pa = await this.personId(a, tx);
      const pb = await this.personId(b, tx);
      if (pa === pb) return pa;
      const now = Date.now();
      for (const key of [a, b]) {
        await tx.run(
          "INSERT INTO identities (user_key, person_id, linked_at) VALUES (?, ?, ?) ON CONFLICT (user_key) DO NOTHING",
          [key, key, now],
        );
      }
      await tx.run("UPDATE identities SET person_id = ? WHERE person_id = ?", [pa, pb]);
      await tx.run(
        "INSERT INTO prefs (person_id, key, value) SELECT ?, key, value FROM prefs WHERE person_id = ? ON CONFLICT (person_id, key) DO NOTHING",
        [pa, pb],
      );
      await tx.run("DELETE FROM prefs WHERE person_id = ?", [pb]);
      return pa;
    });
  }

  /** Detaches one identity; it becomes its own person again, keeping a copy of the preferences. */
  async unlink(key: string): Promise<void> {
    await this.store.tx(async (tx) => {
      const person = await this.personId(key, tx);
      if (person === key) {
        // The identity is the anchor: hand the person id to another member first.
        const other = await tx.get<{ user_key: string }>(
          "SELECT user_key FROM identities WHERE person_id = ? AND user_key <> ? ORDER BY user_key",
          [person, key],
        );
        if (!other) return;
        await tx.run("UPDATE identities SET person_id = ? WHERE person_id = ?", [other.user_key, person]);
        await tx.run(
          "INSERT INTO prefs (person_id, key, value) SELECT ?, key, value FROM prefs WHERE person_id = ? ON CONFLICT (person_id, key) DO NOTHING",
          [other.user_key, person],
        );
        await tx.run("DELETE FROM identities WHERE user_key = ?", [key]);
        return;
      }
      await tx.run("DELETE FROM identities WHERE user_key = ?", [key]);
      await tx.run(
        "INSERT INTO prefs (person_id, key, value) SELECT ?, key, value FROM prefs WHERE person_id = ? ON CONFLICT (person_id, key) DO NOTHING",
        [key, person],
      );
    });
  }

  async getPref(personId: string, key: string): Promise<string | undefined> {
    return (
      await this.store.get<{ value: string }>("SELECT value FROM prefs WHERE person_id = ? AND key = ?", [
        personId,
        key,
      ])
    )?.value;
  }

  async setPref(personId: string, key: string, value: string | null): Promise<void> {
    if (value === null) await this.store.run("DELETE FROM prefs WHERE person_id = ? AND key = ?", [personId, key]);
    else
      await this.store.run(
        "INSERT INTO prefs (person_id, key, value) VALUES (?, ?, ?) ON CONFLICT (person_id, key) DO UPDATE SET value = excluded.value",
        [personId, key, value],
      );
  }
}
