/**
 * The migration to "an IRC identity is a services account", on both stores: links made when an IRC id could have
 * been a nick are undone (each side keeps the shared preferences), nothing else keyed by those ids is lost, and
 * link codes asked for in the nick era are gone.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pg from "pg";
import { platforms } from "../../src/adapters/index.js";
import { ircMigrations } from "../../src/adapters/irc/migrations.js";
import { coreMigrations } from "../../src/app.js";
import { identityLinkFeature } from "../../src/features/identity-link.js";
import { Identity } from "../../src/services/identity.js";
import { migrate } from "../../src/store/migrate.js";
import { PostgresStore } from "../../src/store/postgres.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";
import { PG_URL as URL } from "../testbed/postgres.js";

const codesTable = identityLinkFeature.migrations!.filter((m) => m.id === "identity-link/1-codes");
const laterMigrations = [...ircMigrations, ...identityLinkFeature.migrations!];

/** A store as an older crier left it: IRC ids linked to Matrix and Discord ones, a pending link code. */
async function nickEraStore(store: Store): Promise<Identity> {
  await migrate(store, [...coreMigrations, ...codesTable]);
  const id = new Identity(store);
  // The attack from issue #15: someone holding the nick boss linked their Matrix account to irc.test:boss.
  await id.setPref("irc.test:boss", "zone", "Europe/Berlin");
  await id.link("irc.test:boss", "matrix.main:@mallory:localhost");
  // Someone whose Matrix identity anchors a person that includes an IRC id.
  await id.setPref("matrix.main:@carol:localhost", "zone", "Asia/Tokyo");
  await id.link("matrix.main:@carol:localhost", "irc:carol");
  // A link with no IRC id in it stays.
  await id.link("matrix.main:@dave:localhost", "discord.x:123");
  await store.run("INSERT INTO link_codes (code, user_key, expires_at) VALUES (?, ?, ?)", [
    "ABCDEFGH",
    "irc.test:boss",
    Date.now() + 600_000,
  ]);
  return id;
}

async function checkMigrated(store: Store, id: Identity): Promise<void> {
  const applied = await migrate(store, [...coreMigrations, ...laterMigrations]);
  assert.deepEqual(applied.sort(), ["identity-link/2-drop-nick-era-codes", "irc/1-unlink-nick-era-identities"]);
  assert.equal(await id.personId("matrix.main:@mallory:localhost"), "matrix.main:@mallory:localhost");
  assert.deepEqual(await id.identitiesOf(await id.personId("irc.test:boss")), ["irc.test:boss"]);
  assert.deepEqual(await id.identitiesOf(await id.personId("irc:carol")), ["irc:carol"]);
  // Each side keeps the zone the person had.
  assert.equal(await id.getPref("irc.test:boss", "zone"), "Europe/Berlin");
  assert.equal(await id.getPref("matrix.main:@mallory:localhost", "zone"), "Europe/Berlin");
  assert.equal(await id.getPref("irc:carol", "zone"), "Asia/Tokyo");
  assert.equal(await id.getPref("matrix.main:@carol:localhost", "zone"), "Asia/Tokyo");
  assert.deepEqual(await id.identitiesOf(await id.personId("discord.x:123")), [
    "discord.x:123",
    "matrix.main:@dave:localhost",
  ]);
  assert.equal(await store.get("SELECT * FROM link_codes"), undefined);
  // And only once: a link made afterwards, by a logged-in user, stays.
  await id.link("irc.test:boss", "matrix.main:@boss:localhost");
  assert.deepEqual(await migrate(store, [...coreMigrations, ...laterMigrations]), []);
  assert.equal(await id.personId("matrix.main:@boss:localhost"), await id.personId("irc.test:boss"));
}

describe("IRC identity migration", () => {
  it("is declared by the IRC platform, so the app runs it", () => {
    assert.deepEqual(platforms.irc.migrations, ircMigrations);
  });

  it("undoes nick-era IRC links on SQLite", async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-ircmig-")), "c.db"));
    try {
      await checkMigrated(store, await nickEraStore(store));
    } finally {
      await store.close();
    }
  });

  describe("on PostgreSQL", () => {
    const schema = `crier_ircmig_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: URL });
    let store: PostgresStore | undefined;
    after(async () => {
      await store?.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    });

    it("undoes nick-era IRC links on PostgreSQL", async () => {
      try {
        await admin.connect();
      } catch (err) {
        throw new Error(
          `PostgreSQL not reachable at ${URL} (${(err as Error).message}) — run: bash scripts/testbed-install.sh`,
        );
      }
      await admin.query(`CREATE SCHEMA ${schema}`);
      store = new PostgresStore(URL, schema);
      await checkMigrated(store, await nickEraStore(store));
    });
  });
});
