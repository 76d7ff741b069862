import type { Migration, Queryable, Store } from "./store.js";

/** The advisory lock key instances migrating one PostgreSQL database take turns on ("crier" in ASCII). */
const MIGRATION_LOCK = 0x6372696572;

/**
 * Applies migrations not yet recorded, in the order given, each in its own transaction. Ids already applied are
 * skipped, so adding a feature's migration list never re-runs another feature's.
 */
export async function migrate(store: Store, migrations: Migration[]): Promise<string[]> {
  // Instances starting together on one PostgreSQL database take turns (a transaction-scoped advisory lock), and each
  // migration is re-checked under it, so only one of them applies it. SQLite has one instance per file.
  const turn = async (tx: Queryable) => {
    if (store.dialect === "postgres") await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [MIGRATION_LOCK]);
  };
  await store.tx(async (tx) => {
    await turn(tx);
    await tx.run("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
  });
  const done = new Set((await store.all<{ id: string }>("SELECT id FROM schema_migrations")).map((r) => r.id));
  const seen = new Set<string>();
  const applied: string[] = [];
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    seen.add(m.id);
    if (done.has(m.id)) continue;
    const sql = typeof m.sql === "string" ? m.sql : m.sql[store.dialect];
    const fresh = await store.tx(async (tx) => {
      await turn(tx);
      if (await tx.get("SELECT id FROM schema_migrations WHERE id = ?", [m.id])) return false;
      for (const stmt of splitStatements(sql)) await tx.run(stmt);
      await tx.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [m.id, Date.now()]);
      return true;
    });
    if (fresh) applied.push(m.id);
  }
  return applied;
}

/** Migrations hold plain DDL without string literals containing ';', so a split on ';' is enough. */
function splitStatements(sql: string): string[] {
  return sql
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
}
