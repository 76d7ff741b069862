import pg from "pg";
import type { Param, Queryable, Store } from "./store.js";

// BIGINT columns hold epoch milliseconds; they fit a JS number, so parse them as numbers, not strings.
pg.types.setTypeParser(20, (v) => Number(v));

/** `?` placeholders → `$1…$n`. Store SQL never puts a literal `?` inside a string. */
export function toPgPlaceholders(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  const q = async (sql: string, params: Param[] = []) => client.query(toPgPlaceholders(sql), params as unknown[]);
  return {
    run: async (sql, params) => ({ changes: (await q(sql, params)).rowCount ?? 0 }),
    get: async <T>(sql: string, params?: Param[]) => (await q(sql, params)).rows[0] as T | undefined,
    all: async <T>(sql: string, params?: Param[]) => (await q(sql, params)).rows as T[],
  };
}

/** A session idle inside a transaction this long is ended by the server (its locks are freed). */
const IDLE_IN_TX_MS = 5_000;

/** PostgreSQL store: the shared store when several crier instances run against one database. */
export class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly q: Queryable;

  constructor(
    private readonly url: string,
    private readonly schema?: string,
    max = 5,
  ) {
    // Connection options hold from the very first query on every pooled connection: the search_path, and a bound on
    // how long a session may sit inside a transaction doing nothing — a paused process (SIGSTOP, a frozen VM) would
    // otherwise keep its locks, the lease row's among them, and no other instance could take over.
    const opts = [`-c idle_in_transaction_session_timeout=${IDLE_IN_TX_MS}`];
    if (schema) opts.push(`-c search_path=${schema.replace(/[^\w]/g, "")}`);
    this.pool = new pg.Pool({ connectionString: url, max, options: opts.join(" "), keepAlive: true });
    // A connection the server ends (restart, the idle timeout above) fails the query on it; the event itself
    // must not become an uncaught exception, whether the client was idle in the pool or checked out.
    this.pool.on("error", () => undefined);
    this.pool.on("connect", (client) => client.on("error", () => undefined));
    this.q = queryable(this.pool);
  }

  /** Another store on the same database with a pool of its own (the lease's connection). */
  dedicated(max = 1): PostgresStore {
    return new PostgresStore(this.url, this.schema, max);
  }

  run(sql: string, params?: Param[]) {
    return this.q.run(sql, params);
  }
  get<T>(sql: string, params?: Param[]) {
    return this.q.get<T>(sql, params);
  }
  all<T>(sql: string, params?: Param[]) {
    return this.q.all<T>(sql, params);
  }

  async tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(queryable(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async backup(): Promise<void> {
    throw new Error("crier backup writes SQLite files; back up PostgreSQL with pg_dump");
  }

  async tables(): Promise<string[]> {
    const rows = await this.all<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    return rows.map((r) => r.name);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
