/** `firstRun` lines of a console account run once per state directory: a demo sets itself up on the first start only. */
import type { Store } from "../../store/store.js";

const TABLE =
  "CREATE TABLE IF NOT EXISTS console_first_run (account TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (account, line))";

/** The lines not run before on this store, now marked as run (a crash right after loses them, never repeats them). */
export async function runOnce(store: Store, account: string, lines: readonly string[]): Promise<string[]> {
  await store.run(TABLE);
  const fresh: string[] = [];
  for (const line of lines) {
    const r = await store.run("INSERT INTO console_first_run (account, line) VALUES (?, ?) ON CONFLICT DO NOTHING", [
      account,
      line,
    ]);
    if (r.changes) fresh.push(line);
  }
  return fresh;
}
