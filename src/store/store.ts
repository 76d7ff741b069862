/**
 * The one Store contract every feature uses. SQL is written in the portable subset both SQLite and PostgreSQL
 * accept (`?` placeholders, BIGINT epoch-millisecond times, TEXT ids, `ON CONFLICT … DO NOTHING`); a migration
 * that needs dialect-specific DDL gives both variants.
 */
export type Param = string | number | bigint | boolean | null | Buffer;

export interface Queryable {
  run(sql: string, params?: Param[]): Promise<{ changes: number }>;
  get<T = Record<string, unknown>>(sql: string, params?: Param[]): Promise<T | undefined>;
  all<T = Record<string, unknown>>(sql: string, params?: Param[]): Promise<T[]>;
}

export interface Store extends Queryable {
  readonly dialect: "sqlite" | "postgres";
  /** Runs fn in one transaction; everything fn does through `tx` commits or rolls back together. */
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Writes a consistent copy of the whole store to a file (SQLite) or refuses with a hint (PostgreSQL). */
  backup(file: string): Promise<void>;
  /** The names of the store's tables (of its schema, on PostgreSQL), sorted. */
  tables(): Promise<string[]>;
  close(): Promise<void>;
  /**
   * A shared store (PostgreSQL) opens another store on the same database with a connection of its own, for the
   * leadership lease; an embedded one (SQLite, one instance per file) has none.
   */
  dedicated?(): Store;
}

export interface Migration {
  /** Unique, stable forever: `<feature>/<n>-<what>`. */
  id: string;
  sql: string | { sqlite: string; postgres: string };
}

/** Thrown when the store cannot take writes (disk full, read-only): crier stops accepting new work. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}
