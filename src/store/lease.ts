/**
 * The leadership lease on PostgreSQL: one row (table crier_lease, id 1) naming the holder, a term that grows by one
 * on every takeover, and an expiry. All instants come from the database's own clock, so the instances' clocks never
 * have to agree. The holder renews with `UPDATE … WHERE term = $mine AND holder = $me` before the expiry; anyone may
 * take an expired lease, which increments the term. Fenced transactions read the row `FOR SHARE` (`check`): a
 * takeover's UPDATE waits for them, and any of them still to come after it sees the new term and fails.
 */
import { FencedError } from "./fence.js";
import type { Migration, Queryable, Store } from "./store.js";

export const leaseMigrations: Migration[] = [
  {
    id: "lease/1-lease",
    sql: `CREATE TABLE crier_lease (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, term BIGINT NOT NULL,
            expires_at BIGINT NOT NULL, renewed_at BIGINT NOT NULL, acquired_at BIGINT NOT NULL)`,
  },
];

/** The database's clock in epoch milliseconds (clock_timestamp: the statement's own instant, not the txn's). */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

export interface LeaseRow {
  holder: string;
  term: number;
  expiresAt: number;
  /** The database's clock when the row was read. */
  now: number;
}

export class Lease {
  /** `store` should be a connection of its own, so a busy pool never delays a renewal. */
  constructor(private readonly store: Store) {}

  /** Takes the lease if nobody holds it or it has expired; the new term, or undefined when someone holds it. */
  async acquire(holder: string, ttlMs: number): Promise<number | undefined> {
    const row = await this.store.get<{ term: number }>(
      `INSERT INTO crier_lease (id, holder, term, expires_at, renewed_at, acquired_at)
       VALUES (1, ?, 1, ${NOW_MS} + ?, ${NOW_MS}, ${NOW_MS})
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, term = crier_lease.term + 1,
         expires_at = excluded.expires_at, renewed_at = excluded.renewed_at, acquired_at = excluded.acquired_at
       WHERE crier_lease.expires_at < excluded.renewed_at
       RETURNING term`,
      [holder, Math.round(ttlMs)],
    );
    return row ? Number(row.term) : undefined;
  }

  /** Extends the lease by `ttlMs` from now; false when it is no longer this holder's term or it had expired. */
  async renew(holder: string, term: number, ttlMs: number): Promise<boolean> {
    const r = await this.store.run(
      `UPDATE crier_lease SET expires_at = ${NOW_MS} + ?, renewed_at = ${NOW_MS}
       WHERE id = 1 AND term = ? AND holder = ? AND expires_at >= ${NOW_MS}`,
      [Math.round(ttlMs), term, holder],
    );
    return r.changes === 1;
  }

  /** Lets the lease go at once (a clean stop), so a standby takes over on its next poll. */
  async release(holder: string, term: number): Promise<void> {
    await this.store.run("UPDATE crier_lease SET expires_at = 0 WHERE id = 1 AND term = ? AND holder = ?", [
      term,
      holder,
    ]);
  }

  async current(): Promise<LeaseRow | undefined> {
    const row = await this.store.get<{ holder: string; term: number; expires_at: number; now: number }>(
      `SELECT holder, term, expires_at, ${NOW_MS} AS now FROM crier_lease WHERE id = 1`,
    );
    return row
      ? { holder: row.holder, term: Number(row.term), expiresAt: Number(row.expires_at), now: Number(row.now) }
      : undefined;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * The fence inside a transaction (any connection of the same database): passes only while `term` is the current,
 * unexpired term, and holds a share lock on the lease row until the transaction ends.
 */
export async function checkTerm(tx: Queryable, term: number): Promise<void> {
  const row = await tx.get<{ term: number }>(
    `SELECT term FROM crier_lease WHERE id = 1 AND expires_at > ${NOW_MS} FOR SHARE`,
  );
  if (!row || Number(row.term) !== term)
    throw new FencedError(
      row ? `the lease is now term ${row.term} (this instance held term ${term})` : `the lease of term ${term} expired`,
    );
}
