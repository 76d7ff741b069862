/**
 * Copies a whole installation from one store into another (`crier migrate-store`): every table the source has,
 * read in one transaction (a consistent snapshot) and written in one transaction (all or nothing). Both stores must
 * be migrated to the same version first. A target that holds any row is refused; afterwards the row counts of
 * every table are compared.
 */
import type { Param, Queryable, Store } from "./store.js";

export interface TableCopy {
  table: string;
  rows: number;
}

/** Rows read and written per statement: bounded memory, and well under PostgreSQL's 65,535 parameters. */
const PAGE = 500;

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table or column name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

async function count(q: Queryable, table: string): Promise<number> {
  return Number((await q.get<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`))?.n ?? 0);
}

export async function copyStore(from: Store, to: Store): Promise<TableCopy[]> {
  // schema_migrations is the migrations' own bookkeeping: both sides were migrated by the same code.
  const tables = (await from.tables()).filter((t) => t !== "schema_migrations");
  const targetTables = await to.tables();
  const missing = tables.filter((t) => !targetTables.includes(t));
  if (missing.length)
    throw new Error(`the target has no table ${missing.join(", ")}: it was not migrated by this version of crier`);
  const busy: string[] = [];
  for (const t of targetTables.filter((t) => t !== "schema_migrations")) {
    const n = await count(to, t);
    if (n) busy.push(`${t} (${n} rows)`);
  }
  if (busy.length)
    throw new Error(`the target is not empty — ${busy.join(", ")}; migrate-store copies into an empty database only`);

  // A stable order to page in: SQLite's rowid, PostgreSQL's tuple id (both fixed within the reading transaction).
  const order = from.dialect === "sqlite" ? "rowid" : "ctid";
  const copied = await from.tx(async (src) =>
    to.tx(async (dst) => {
      const out: TableCopy[] = [];
      for (const table of tables) {
        let rows = 0;
        for (let offset = 0; ; offset += PAGE) {
          const page = await src.all<Record<string, Param>>(
            `SELECT * FROM ${ident(table)} ORDER BY ${order} LIMIT ? OFFSET ?`,
            [PAGE, offset],
          );
          if (!page.length) break;
          await insertPage(dst, table, page);
          rows += page.length;
          if (page.length < PAGE) break;
        }
        out.push({ table, rows });
      }
      return out;
    }),
  );
  const wrong: string[] = [];
  for (const { table, rows } of copied) {
    const [a, b] = [await count(from, table), await count(to, table)];
    if (a !== rows || b !== rows) wrong.push(`${table}: source ${a}, copied ${rows}, target ${b}`);
  }
  if (wrong.length) throw new Error(`row counts differ after the copy — ${wrong.join("; ")}`);
  return copied;
}

async function insertPage(tx: Queryable, table: string, page: Record<string, Param>[]): Promise<void> {
  const cols = Object.keys(page[0]);
  const row = `(${cols.map(() => "?").join(", ")})`;
  await tx.run(
    `INSERT INTO ${ident(table)} (${cols.map(ident).join(", ")}) VALUES ${page.map(() => row).join(", ")}`,
    page.flatMap((r) => cols.map((c) => r[c] ?? null)),
  );
}
