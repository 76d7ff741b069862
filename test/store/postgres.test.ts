/** The same Store contract against a real PostgreSQL: migrations, transactions, the outbox and the message map. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { coreMigrations } from "../../src/app.js";
import { createLogger } from "../../src/core/log.js";
import { buildFeatures } from "../../src/features/index.js";

const features = buildFeatures().all;
import { fromPlain } from "../../src/core/richtext.js";
import { MessageMap, messageMapMigrations } from "../../src/relay/message-map.js";
import { Outbox } from "../../src/delivery/outbox.js";
import { SystemClock } from "../../src/services/clock.js";
import { Identity } from "../../src/services/identity.js";
import { migrate } from "../../src/store/migrate.js";
import { openStore } from "../../src/store/open.js";
import { PostgresStore } from "../../src/store/postgres.js";
import { parseConfig } from "../../src/config/load.js";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { PG_URL as URL, pgAdmin } from "../testbed/postgres.js";

const schema = `crier_test_${randomBytes(4).toString("hex")}`;

describe("postgres store", () => {
  let admin: pg.Client;
  let store: PostgresStore;
  before(async () => {
    admin = await pgAdmin(URL);
    await admin.query(`CREATE SCHEMA ${schema}`);
    store = new PostgresStore(URL, schema);
  });
  after(async () => {
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it("applies every migration of every feature, and none twice", async () => {
    const all = [...coreMigrations, ...features.flatMap((f) => f.migrations ?? [])];
    assert.ok(all.some((m) => messageMapMigrations.includes(m)));
    assert.equal((await migrate(store, all)).length, all.length);
    assert.deepEqual(await migrate(store, all), []);
  });

  it("is what the store factory opens (loading pg on demand) for store.kind postgres", async () => {
    const config = parseConfig(
      stringify({ accounts: { console: { user: "op", rooms: ["c"] } }, store: { kind: "postgres", url: URL, schema } }),
      {},
    );
    const opened = await openStore(config, tmpdir());
    try {
      assert.equal(opened.dialect, "postgres");
      assert.deepEqual(await opened.get("SELECT current_schema() AS s"), { s: schema });
    } finally {
      await opened.close();
    }
  });

  it("rolls back a failed transaction", async () => {
    await assert.rejects(
      store.tx(async (tx) => {
        await tx.run("INSERT INTO prefs (person_id, key, value) VALUES (?, ?, ?)", ["p", "k", "v"]);
        throw new Error("abort");
      }),
    );
    assert.equal(await store.get("SELECT * FROM prefs WHERE person_id = 'p'"), undefined);
  });

  it("links identities and shares preferences", async () => {
    const id = new Identity(store);
    await id.setPref("irc.n:alice", "zone", "Europe/Berlin");
    const person = await id.link("irc.n:alice", "matrix.m:@alice:h");
    assert.equal(await id.getPref(await id.personId("matrix.m:@alice:h"), "zone"), "Europe/Berlin");
    assert.deepEqual(await id.identitiesOf(person), ["irc.n:alice", "matrix.m:@alice:h"]);
    await id.unlink("matrix.m:@alice:h");
    assert.equal(await id.personId("matrix.m:@alice:h"), "matrix.m:@alice:h");
  });

  it("keeps outbox keys idempotent and the message map scoped", async () => {
    const outbox = new Outbox(store, new SystemClock(), createLogger({ level: "silent" }));
    const it1 = {
      account: "x",
      message: { room: "r", body: fromPlain("hi"), kind: "notice" as const, idempotencyKey: "k1" },
    };
    assert.equal(await outbox.enqueue([it1]), 1);
    assert.equal(await outbox.enqueue([it1]), 0);
    const [row] = await outbox.head("x", "r", 1);
    assert.equal(row?.key, "k1");
    assert.equal(typeof row?.seq, "number");
    const map = new MessageMap(store);
    await store.tx((tx) =>
      map.recordOrigin(
        {
          room: { account: "irc.n", room: "#a" },
          nativeId: "m1",
          authorKey: "irc.n:alice",
          authorName: "alice",
          excerpt: "hi",
          at: Date.now(),
        },
        tx,
      ),
    );
    assert.equal((await map.lookup({ account: "irc.n", room: "#a" }, "m1"))?.authorKey, "irc.n:alice");
    assert.equal(await map.lookup({ account: "irc.n", room: "#b" }, "m1"), undefined);
  });

  it("two instances migrating one fresh schema at once apply every migration exactly once between them", async () => {
    const fresh = `${schema}_twin`;
    await admin.query(`CREATE SCHEMA ${fresh}`);
    const one = new PostgresStore(URL, fresh);
    const two = new PostgresStore(URL, fresh);
    try {
      const all = [...coreMigrations, ...features.flatMap((f) => f.migrations ?? [])];
      const [a, b] = await Promise.all([migrate(one, all), migrate(two, all)]);
      assert.equal(a.length + b.length, all.length);
      assert.deepEqual(new Set([...a, ...b]), new Set(all.map((m) => m.id)));
      const n = await one.get<{ n: number }>("SELECT count(*) AS n FROM schema_migrations");
      assert.equal(Number(n?.n), all.length);
    } finally {
      await one.close();
      await two.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });

  it("an older crier's reminders lose the 'reminder: ' it stored before an addressed one, and only that", async () => {
    const fresh = `crier_old_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE SCHEMA ${fresh}`);
    const old = new PostgresStore(URL, fresh);
    try {
      const all = [...coreMigrations, ...features.flatMap((f) => f.migrations ?? [])];
      await migrate(
        old,
        all.filter((m) => m.id !== "scheduler/2-reminder-text-only"),
      );
      const row = (id: string, text: string, mention: string | null) =>
        old.run(
          `INSERT INTO schedules (id, kind, spec, offset_ms, text, targets, mention, grace_ms, source, active, next_at, created_at)
           VALUES (?, 'reminder', '{"kind":"instant","at":1}', 0, ?, '[]', ?, 0, 'chat', 1, 1, 1)`,
          [id, text, mention],
        );
      await row("reminder:me", "reminder: renew the certificate", '{"account":"console","id":"alice","name":"alice"}');
      await row("reminder:room", "reminder: is a word too", null);
      assert.deepEqual(await migrate(old, all), ["scheduler/2-reminder-text-only"]);
      assert.deepEqual(await old.all("SELECT id, text FROM schedules ORDER BY id"), [
        { id: "reminder:me", text: "renew the certificate" },
        { id: "reminder:room", text: "reminder: is a word too" },
      ]);
    } finally {
      await old.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });
});
