import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { coreMigrations } from "../../../src/app.js";
import { InstanceLock } from "../../../src/store/instance-lock.js";
import { migrate } from "../../../src/store/migrate.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import { StoreUnavailableError } from "../../../src/store/store.js";

const tmp = () => mkdtempSync(join(tmpdir(), "crier-store-"));

describe("sqlite store", () => {
  it("migrates a fresh database, then an existing one only with what is new", async () => {
    const file = join(tmp(), "c.db");
    let s = new SqliteStore(file);
    const first = await migrate(s, coreMigrations);
    assert.deepEqual(
      first,
      coreMigrations.map((m) => m.id),
    );
    await s.run("INSERT INTO prefs (person_id, key, value) VALUES (?, ?, ?)", ["p", "zone", "Europe/Berlin"]);
    await s.close();
    s = new SqliteStore(file);
    const extra = { id: "test/1-extra", sql: "CREATE TABLE extra (id TEXT PRIMARY KEY)" };
    assert.deepEqual(await migrate(s, [...coreMigrations, extra]), ["test/1-extra"]);
    assert.deepEqual(await migrate(s, [...coreMigrations, extra]), []);
    assert.equal(
      (await s.get<{ value: string }>("SELECT value FROM prefs WHERE person_id = ?", ["p"]))?.value,
      "Europe/Berlin",
    );
    await s.close();
  });

  it("rolls a failed transaction back and keeps other callers out while it is open", async () => {
    const s = new SqliteStore(join(tmp(), "c.db"));
    await s.run("CREATE TABLE t (v TEXT)");
    await assert.rejects(
      s.tx(async (tx) => {
        await tx.run("INSERT INTO t VALUES ('a')");
        throw new Error("abort");
      }),
      /abort/,
    );
    const outside = s.tx(async (tx) => {
      await tx.run("INSERT INTO t VALUES ('b')");
      await new Promise((r) => setTimeout(r, 20));
      await tx.run("INSERT INTO t VALUES ('c')");
    });
    const reader = s.all<{ v: string }>("SELECT v FROM t ORDER BY v");
    await outside;
    assert.deepEqual(
      (await reader).map((r) => r.v),
      ["b", "c"],
    );
    await s.close();
  });

  it("refuses a file that is not a database without touching it", () => {
    const file = join(tmp(), "junk.db");
    writeFileSync(file, "this is not sqlite".repeat(100));
    assert.throws(
      () => new SqliteStore(file),
      (err: Error) => err instanceof StoreUnavailableError && /not a valid SQLite database/.test(err.message),
    );
  });

  it("writes a consistent backup", async () => {
    const dir = tmp();
    const s = new SqliteStore(join(dir, "c.db"));
    await migrate(s, coreMigrations);
    await s.run("INSERT INTO prefs (person_id, key, value) VALUES ('p', 'zone', 'UTC')");
    await s.backup(join(dir, "copy.db"));
    const copy = new SqliteStore(join(dir, "copy.db"));
    assert.equal((await copy.get<{ n: number }>("SELECT COUNT(*) AS n FROM prefs"))?.n, 1);
    await copy.close();
    await s.close();
  });

  it("lets only one instance hold a state directory; a dead owner's lock is taken over", () => {
    const file = join(tmp(), "crier.lock");
    const a = new InstanceLock(file);
    a.acquire();
    assert.throws(() => {
      // Pretend another live process (our parent) holds it.
      writeFileSync(file, String(process.ppid));
      new InstanceLock(file).acquire();
    }, /another crier \(pid \d+\) is running/);
    writeFileSync(file, "999999");
    const b = new InstanceLock(file);
    b.acquire();
    b.release();
  });
});
