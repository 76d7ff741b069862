/**
 * The store factory: SQLite is the embedded default; the PostgreSQL driver (pg, ~10 MiB resident) is imported only
 * when the config asks for PostgreSQL, so a crier on SQLite never loads it.
 */
import { isAbsolute, join } from "node:path";
import type { Config } from "../config/schema.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export async function openStore(config: Config, stateDir: string): Promise<Store> {
  const s = config.store;
  if (s.kind === "postgres") {
    const { PostgresStore } = await import("./postgres.js");
    return new PostgresStore(s.url!, s.schema);
  }
  return new SqliteStore(isAbsolute(s.file) ? s.file : join(stateDir, s.file));
}
