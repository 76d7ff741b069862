/**
 * A crier on the embedded defaults (console account, SQLite) never loads a platform library or the PostgreSQL
 * driver: each costs 10–45 MiB resident, and is imported only when an account or store that needs it is configured.
 * All four are CommonJS packages, so whether they were loaded shows in the require cache.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { stringify } from "yaml";
import { App } from "../../../src/app.js";
import { parseConfig } from "../../../src/config/load.js";
import { createLogger } from "../../../src/core/log.js";

const loaded = (pkg: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes(`/node_modules/${pkg}/`));

it("a console + SQLite crier loads neither discord.js, matrix-bot-sdk, irc-framework nor pg", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "crier-lazy-"));
  const config = parseConfig(
    stringify({
      accounts: { console: { user: "op", rooms: ["lobby", "dev"] } },
      links: [
        {
          name: "demo",
          rooms: [
            { account: "console", room: "lobby" },
            { account: "console", room: "dev" },
          ],
        },
      ],
      http: { enabled: false },
    }),
    {},
  );
  const app = await App.create({ config, log: createLogger({ level: "silent" }), stateDir });
  try {
    // The check itself sees CommonJS packages: the SQLite driver crier does use is there.
    assert.ok(loaded("better-sqlite3"), "better-sqlite3 should be in the require cache");
    for (const pkg of ["discord.js", "matrix-bot-sdk", "irc-framework", "pg"])
      assert.equal(loaded(pkg), false, `${pkg} was loaded by a console-only crier`);
  } finally {
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
