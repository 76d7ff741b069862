/**
 * `crier migrate-store --from sqlite:FILE --to postgres:URL`: copies a whole installation (reminders, link map,
 * identities, zones, ledgers, the outbox — every table) from its SQLite file into an empty PostgreSQL database or
 * schema, then compares the row counts of every table. The crier that uses FILE must be stopped: its state
 * directory's instance lock is held for the copy, so it cannot start meanwhile either.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { allMigrations } from "../app.js";
import { buildFeatures } from "../features/index.js";
import { copyStore } from "../store/copy.js";
import { InstanceLock } from "../store/instance-lock.js";
import { migrate } from "../store/migrate.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { fail } from "./common.js";

/** `sqlite:FILE` → the file's absolute path. */
export function sqliteSource(from: string): string {
  const m = /^sqlite:(.+)$/.exec(from);
  if (!m) throw new Error(`--from ${from}: give the SQLite file as sqlite:FILE (e.g. sqlite:data/crier.db)`);
  return resolve(m[1]);
}

/** `postgres:URL` (or the bare postgres:// / postgresql:// URL) → the connection URL. */
export function postgresTarget(to: string): string {
  const url = /^postgres(ql)?:\/\//.test(to) ? to : /^postgres:(.+)$/.exec(to)?.[1];
  if (!url || !/^postgres(ql)?:\/\//.test(url))
    throw new Error("--to: give the database as postgres:URL (e.g. postgres:postgres://crier@db.example.org/crier)");
  return url;
}

export function registerMigrateStore(program: Command): void {
  program
    .command("migrate-store")
    .description("copy a whole installation from SQLite into an empty PostgreSQL database (stop crier first)")
    .requiredOption("--from <sqlite:FILE>", "the SQLite file crier used")
    .requiredOption("--to <postgres:URL>", "the PostgreSQL database to copy into (must be empty)")
    .option("--schema <name>", "a PostgreSQL schema to copy into (as store.schema in the config)")
    .action(async (opts: { from: string; to: string; schema?: string }) => {
      let lock: InstanceLock | undefined;
      const opened: Store[] = [];
      let failure: unknown;
      try {
        const file = sqliteSource(opts.from);
        const url = postgresTarget(opts.to);
        if (opts.schema !== undefined && !/^\w+$/.test(opts.schema))
          throw new Error(`--schema ${opts.schema}: letters, digits and _ only`);
        if (!existsSync(file)) throw new Error(`${file} does not exist`);
        lock = new InstanceLock(join(dirname(file), "crier.lock"));
        lock.acquire();
        const source = new SqliteStore(file);
        opened.push(source);
        const { PostgresStore } = await import("../store/postgres.js");
        const target = new PostgresStore(url, opts.schema);
        opened.push(target);
        // Both at this version's schema: the source as `crier start` would migrate it, the target from nothing.
        const migrations = allMigrations(buildFeatures().all);
        await migrate(source, migrations);
        await migrate(target, migrations);
        const copied = await copyStore(source, target);
        for (const t of copied) process.stdout.write(`${t.table}: ${t.rows}\n`);
        const total = copied.reduce((n, t) => n + t.rows, 0);
        process.stdout.write(
          `copied ${total} rows in ${copied.length} tables; every table's row count matches. Point store at ` +
            "PostgreSQL in the config (store: {kind: postgres, url: …}) and start crier.\n",
        );
      } catch (err) {
        failure = err;
      } finally {
        for (const s of opened) await s.close().catch(() => undefined);
        lock?.release();
      }
      if (failure !== undefined) fail(failure);
    });
}
