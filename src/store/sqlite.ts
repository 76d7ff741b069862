import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type Param, type Queryable, type Store, StoreUnavailableError } from "./store.js";

type Db = Database.Database;

/** Errors SQLite raises when the disk or file cannot take writes; crier must stop accepting work on them. */
const UNAVAILABLE_CODES = new Set(["SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN"]);

function wrapError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? "";
  if ([...UNAVAILABLE_CODES].some((c) => code.startsWith(c))) {
    return new StoreUnavailableError(`the database cannot take writes (${code}): ${(err as Error).message}`);
  }
  return err;
}

const toSqlite = (params: Param[] = []) => params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));

function queryable(db: Db): Queryable {
  const exec = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError(err));
    }
  };
  return {
    run: (sql, params) => exec(() => ({ changes: db.prepare(sql).run(...toSqlite(params)).changes })),
    get: <T>(sql: string, params?: Param[]) => exec(() => db.prepare(sql).get(...toSqlite(params)) as T | undefined),
    all: <T>(sql: string, params?: Param[]) => exec(() => db.prepare(sql).all(...toSqlite(params)) as T[]),
  };
}

/**
 * SQLite store on one connection. better-sqlite3 is synchronous, but transactions take async callbacks, so a lock
 * keeps other callers out while a transaction is open (they would otherwise run inside it).
 */
export class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  private readonly db: Db;
  private readonly q: Queryable;
  private lock: Promise<unknown> = Promise.resolve();
  /** Set inside a transaction callback: using the store itself there (not `tx`) would wait for itself forever. */
  private readonly inTx = new AsyncLocalStorage<boolean>();

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file, { timeout: 2000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
      // Fails at once on a file that is not a database, before anything writes to it.
      this.db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
        throw new StoreUnavailableError(
          `${file} is not a valid SQLite database (${code}); it was left untouched. Restore it from a backup (crier backup) or move it aside.`,
        );
      }
      if (code === "SQLITE_BUSY") {
        throw new StoreUnavailableError(`${file} is locked by another process; is another crier running on it?`);
      }
      throw wrapError(err);
    }
    this.q = queryable(this.db);
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTx.getStore()) {
      return Promise.reject(
        new Error("store used directly inside a transaction; use the transaction's handle (this would deadlock)"),
      );
    }
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  run(sql: string, params?: Param[]) {
    return this.locked(() => this.q.run(sql, params));
  }
  get<T>(sql: string, params?: Param[]) {
    return this.locked(() => this.q.get<T>(sql, params));
  }
  all<T>(sql: string, params?: Param[]) {
    return this.locked(() => this.q.all<T>(sql, params));
  }

  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      try {
        this.db.exec("BEGIN IMMEDIATE");
      } catch (err) {
        throw wrapError(err);
      }
      try {
        const result = await this.inTx.run(true, () => fn(this.q));
        this.db.exec("COMMIT");
        return result;
      } catch (err) {
        try {
          if (this.db.inTransaction) this.db.exec("ROLLBACK");
        } catch {
          // A failing rollback (read-only, I/O error) must not hide the error that caused it.
        }
        throw err;
      }
    });
  }

  async backup(file: string): Promise<void> {
    mkdirSync(dirname(file), { recursive: true });
    await this.locked(() => this.db.backup(file));
  }

  async tables(): Promise<string[]> {
    const rows = await this.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    return rows.map((r) => r.name);
  }

  async close(): Promise<void> {
    await this.locked(async () => {
      if (this.db.open) this.db.close();
    });
  }
}
