import type { Migration, Store } from "./store.js";

/**
 * Applies migrations not yet recorded, in the order given, each in its own transaction. Ids already applied are
 * skipped, so adding a feature's migration list never re-runs another feature's.
 */
export async function migrate(store: Store, migrations: Migration[]): Promise<string[]> {
  await store.run("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
  const done = new Set((await store.all<{ id: string }>("SELECT id FROM schema_migrations")).map((r) => r.id));
  const seen = new Set<string>();
  const applied: string[] = [];
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    seen.add(m.id);
    if (done.has(m.id)) continue;
    const sql = typeof m.sql === "string" ? m.sql : m.sql[store.dialect];
    await store.tx(async (tx) => {
      for (const stmt of splitStatements(sql)) await tx.run(stmt);
      await tx.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [m.id, Date.now()]);
    });
    applied.push(m.id);
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
