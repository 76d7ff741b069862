/** The SDK's storage in crier's Store: the same portable SQL on SQLite and PostgreSQL, one namespace per account. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { AppserviceStore } from "../../../src/adapters/matrix/appservice.js";
import { StoreStorageProvider } from "../../../src/adapters/matrix/storage.js";
import { PostgresStore } from "../../../src/store/postgres.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import type { Store } from "../../../src/store/store.js";
import { PG_URL, pgAdmin } from "../../testbed/postgres.js";

async function exercise(store: Store): Promise<void> {
  const a = new StoreStorageProvider(store, "matrix.a");
  const b = new StoreStorageProvider(store, "matrix.b");
  assert.equal(await a.getSyncToken(), null);
  await a.setSyncToken("s1_2_3");
  await a.setSyncToken("s4_5_6");
  assert.equal(await a.getSyncToken(), "s4_5_6");
  assert.equal(await b.getSyncToken(), null, "accounts do not share a position");
  await a.setFilter({ id: 7, filter: { room: {} } });
  assert.deepEqual(await a.getFilter(), { id: 7, filter: { room: {} } });
  await a.storeValue("k'; DROP TABLE matrix_state; --", "v");
  assert.equal(await a.readValue("k'; DROP TABLE matrix_state; --"), "v");
  await a.setSyncToken(null);
  assert.equal(await a.getSyncToken(), null);
  // A second provider on the same store (crier restarted) sees the same values.
  assert.equal(await new StoreStorageProvider(store, "matrix.a").readValue("k'; DROP TABLE matrix_state; --"), "v");
  await appserviceRecords(a, b);
}

/** Appservice mode: registered ghosts and finished transactions, the latter dropped after a day (same SQL on both). */
async function appserviceRecords(a: StoreStorageProvider, b: StoreStorageProvider): Promise<void> {
  let now = 1_800_000_000_000;
  const as = new AppserviceStore(a, () => now);
  const other = new AppserviceStore(b, () => now);
  assert.equal(await as.isUserRegistered("@crier_irc_x_y:example.org"), false);
  await as.addRegisteredUser("@crier_irc_x_y:example.org");
  assert.equal(await as.isUserRegistered("@crier_irc_x_y:example.org"), true);
  await as.setTransactionCompleted("41");
  await other.setTransactionCompleted("41");
  assert.equal(await as.isTransactionCompleted("41"), true);
  assert.equal(await as.isTransactionCompleted("42"), false);
  now += 25 * 3_600_000;
  await as.setTransactionCompleted("42");
  assert.equal(await as.isTransactionCompleted("41"), false, "a day-old transaction id is dropped");
  assert.equal(await as.isTransactionCompleted("42"), true);
  assert.equal(await other.isTransactionCompleted("41"), true, "only this account's are dropped");
  assert.equal(await as.isUserRegistered("@crier_irc_x_y:example.org"), true, "ghosts are kept");
}

describe("Matrix storage provider", () => {
  it("on SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-matrix-store-"));
    const store = new SqliteStore(join(dir, "s.db"));
    try {
      await exercise(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("on PostgreSQL", () => {
    const schema = `crier_mx_${randomBytes(4).toString("hex")}`;
    let admin: pg.Client;
    let store: PostgresStore;
    before(async () => {
      admin = await pgAdmin(PG_URL);
      await admin.query(`CREATE SCHEMA ${schema}`);
      store = new PostgresStore(PG_URL, schema);
    });
    after(async () => {
      await store?.close();
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin?.end();
    });
    it("keeps the same values", () => exercise(store));
  });
});
