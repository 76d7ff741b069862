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

/** PostgreSQL store: the shared store when several crier instances run against one database. */
export class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly q: Queryable;

  constructor(url: string, schema?: string) {
    // search_path set as a connection option so it holds from the very first query on every pooled connection.
    const options = schema ? `-c search_path=${schema.replace(/[^\w]/g, "")}` : undefined;
    this.pool = new pg.Pool({ connectionString: url, max: 5, options });
    this.q = queryable(this.pool);
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

  async close(): Promise<void> {
    await this.pool.end();
  }
}
