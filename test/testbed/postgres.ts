/**
 * The machine's PostgreSQL for tests (127.0.0.1:5432, trust auth; `CRIER_TEST_PG` points elsewhere): an admin
 * connection, with a failure that says how to get the server, and a fresh schema per test file.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_URL = process.env.CRIER_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** An admin connection; if PostgreSQL is not there, the error says how to install and start it. */
export async function pgAdmin(url = PG_URL): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL not reachable at ${url} (${(err as Error).message}) — run: bash scripts/testbed-install.sh`,
    );
  }
  return admin;
}

/** A new, empty schema named `<prefix>_<random>` (drop it with `DROP SCHEMA … CASCADE` when done). */
export async function freshSchema(admin: pg.Client, prefix: string): Promise<string> {
  const schema = `${prefix}_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  return schema;
}
