/**
 * `crier migrate-store` from a SQLite installation into an empty PostgreSQL schema, run as the command a user runs:
 * every reminder, link-map entry, identity, zone, ledger row and queued message arrives, table by table and row by
 * row; a second run refuses the now non-empty target; a source in use by a running crier is refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { allMigrations } from "../../src/app.js";
import type { AppContext } from "../../src/core/context.js";
import { createLogger } from "../../src/core/log.js";
import { fromPlain } from "../../src/core/richtext.js";
import { Outbox } from "../../src/delivery/outbox.js";
import { buildFeatures } from "../../src/features/index.js";
import { REMINDER, renderReminder } from "../../src/features/remind.js";
import { MessageMap } from "../../src/relay/message-map.js";
import { SystemClock } from "../../src/services/clock.js";
import { Identity } from "../../src/services/identity.js";
import { Scheduler } from "../../src/services/scheduler.js";
import { migrate } from "../../src/store/migrate.js";
import { PostgresStore } from "../../src/store/postgres.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";
import { PG_URL as URL, pgAdmin } from "../testbed/postgres.js";

const migrateStore = (file: string, schema: string) =>
  spawnSync(
    process.execPath,
    ["bin/crier.js", "migrate-store", "--from", `sqlite:${file}`, "--to", `postgres:${URL}`, "--schema", schema],
    { encoding: "utf8", timeout: 120_000 },
  );

/** Every row of a table, each as JSON, sorted: the same set on both sides means the same content. */
async function content(store: Store, table: string): Promise<string[]> {
  return (await store.all(`SELECT * FROM "${table}"`)).map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
}

describe("crier migrate-store (SQLite → PostgreSQL)", () => {
  const schema = `crier_mig_${randomBytes(4).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), "crier-migrate-"));
  const file = join(dir, "crier.db");
  let admin: pg.Client;

  before(async () => {
    admin = await pgAdmin(URL);
    await admin.query(`CREATE SCHEMA ${schema}`);

    // An installation with something in each kind of table, written through the parts' own interfaces.
    const store = new SqliteStore(file);
    await migrate(store, allMigrations(buildFeatures().all));
    const clock = new SystemClock();
    const identity = new Identity(store);
    await identity.setPref("irc.n:alice", "zone", "Europe/Berlin");
    await identity.link("irc.n:alice", "matrix.m:@alice:h");
    await identity.setPref("discord.d:42", "zone", "Asia/Tokyo");
    const map = new MessageMap(store);
    await store.tx(async (tx) => {
      const origin = {
        room: { account: "irc.n", room: "#a" },
        nativeId: "m1",
        authorKey: "irc.n:alice",
        authorName: "alice",
        excerpt: "it's 'quoted' — and ünïcode?",
        at: 1_764_000_000_000,
      };
      await map.recordOrigin(origin, tx);
      await map.recordCopy(tx, "irc.n/#a/m1", { account: "matrix.m", room: "!r:h" }, ["$e1"]);
    });
    const scheduler = new Scheduler(
      { store, clock } as unknown as AppContext,
      new Map([[REMINDER, { render: renderReminder, deliverLate: true }]]),
    );
    for (const i of [1, 2, 3])
      await scheduler.upsert({
        id: `chat:reminder-${i}`,
        kind: "reminder",
        spec: { kind: "instant", at: Date.now() + i * 3_600_000 },
        text: `tea ${i}`,
        targets: [{ account: "irc.n", room: "#a" }],
        owner: "irc.n:alice",
        graceMs: 600_000,
        source: "chat",
      });
    await store.run("INSERT INTO advisory_ids (alias, vuln) VALUES ('CVE-2026-0001', 'vuln:CVE-2026-0001')");
    await store.run("INSERT INTO advisory_deliveries (room, vuln, at) VALUES ('irc.n/#a', 'vuln:CVE-2026-0001', 5)");
    const outbox = new Outbox(store, clock, createLogger({ level: "silent" }));
    for (let i = 0; i < 1_200; i++)
      await outbox.enqueue([
        {
          account: "irc.n",
          message: { room: "#a", body: fromPlain(`m${i}`), kind: "notice", idempotencyKey: `k${i}` },
        },
      ]);
    await store.close();
  });
  after(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies every table row for row, verifies the counts, and refuses to copy into it again", async () => {
    const run = migrateStore(file, schema);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^outbox: 1200$/m);
    assert.match(run.stdout, /every table's row count matches/);

    const source = new SqliteStore(file);
    const target = new PostgresStore(URL, schema);
    try {
      const tables = (await source.tables()).filter((t) => t !== "schema_migrations");
      const filled = ["identities", "prefs", "relay_messages", "relay_ids", "schedules", "advisory_ids"];
      for (const table of tables) {
        const rows = await content(source, table);
        if ([...filled, "advisory_deliveries", "outbox"].includes(table)) assert.ok(rows.length, `${table} has rows`);
        assert.deepEqual(await content(target, table), rows, `table ${table}`);
      }
      const reminders = await target.all<{ text: string }>(
        "SELECT text FROM schedules WHERE owner = 'irc.n:alice' ORDER BY next_at",
      );
      assert.deepEqual(
        reminders.map((r) => r.text),
        ["tea 1", "tea 2", "tea 3"],
      );
      const identity = new Identity(target);
      assert.equal(await identity.getPref(await identity.personId("matrix.m:@alice:h"), "zone"), "Europe/Berlin");
    } finally {
      await source.close();
      await target.close();
    }

    const again = migrateStore(file, schema);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /the target is not empty — .*outbox \(1200 rows\).*empty database only/);
  });

  it("refuses a source a running crier holds, and a malformed --to", () => {
    writeFileSync(join(dir, "crier.lock"), String(process.pid));
    try {
      const run = migrateStore(file, `${schema}_other`);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /another crier \(pid \d+\) is running on this state directory/);
    } finally {
      rmSync(join(dir, "crier.lock"), { force: true });
    }
    const bad = spawnSync(
      process.execPath,
      ["bin/crier.js", "migrate-store", "--from", `sqlite:${file}`, "--to", "mysql://x"],
      { encoding: "utf8" },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /give the database as postgres:URL/);
  });
});
