/**
 * A store from before reminders held only the person's words ("reminder: " was stored in front of a reminder
 * addressed to its asker): the migration strips it, and those reminders still list and read exactly as before.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { allMigrations } from "../../../../src/app.js";
import { parseConfig } from "../../../../src/config/load.js";
import { buildFeatures } from "../../../../src/features/index.js";
import { FakeClock } from "../../../../src/services/clock.js";
import { migrate } from "../../../../src/store/migrate.js";
import { openStore } from "../../../../src/store/open.js";
import { makeTestApp } from "../../../helpers/app.js";

const T0 = Date.UTC(2026, 10, 2, 8, 0);
const MIGRATION = "scheduler/2-reminder-text-only";
const accounts = { console: { user: "op", rooms: ["a"] } };

describe("reminders stored by an older crier", () => {
  it("lose the stored 'reminder: ' and read as they did: addressed ones with it, room ones as written", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "crier-old-reminders-"));
    try {
      // The store as the older crier left it: every migration up to this one, and rows in the old format.
      const config = parseConfig(stringify({ accounts }), {});
      const old = await openStore(config, stateDir);
      await migrate(
        old,
        allMigrations(buildFeatures().all).filter((m) => m.id !== MIGRATION),
      );
      const alice = { account: "console", id: "alice", name: "alice" };
      const row = (id: string, text: string, mention: unknown, at: number) =>
        old.run(
          `INSERT INTO schedules (id, kind, spec, offset_ms, text, targets, owner, mention, grace_ms, source, meta, active, next_at, created_at)
           VALUES (?, 'reminder', ?, 0, ?, ?, 'console:alice', ?, 0, 'chat', ?, 1, ?, ?)`,
          [
            id,
            JSON.stringify({ kind: "instant", at }),
            text,
            JSON.stringify([{ account: "console", room: "a" }]),
            mention ? JSON.stringify(mention) : null,
            JSON.stringify({ zone: "UTC" }),
            at,
            T0,
          ],
        );
      await row("reminder:old111", "reminder: renew the certificate", alice, T0 + 3_600_000);
      // A reminder for the room whose own words begin so keeps them: only addressed ones had the prefix added.
      await row("reminder:old222", "reminder: is a word too", null, T0 + 7_200_000);
      await old.close();

      const clock = new FakeClock(T0);
      const t = await makeTestApp({ accounts }, { clock, stateDir });
      try {
        const scheduler = t.app.features.schedules.scheduler;
        assert.equal((await scheduler.get("reminder:old111"))?.text, "renew the certificate");
        assert.equal((await scheduler.get("reminder:old222"))?.text, "reminder: is a word too");

        await t.say("!reminders", { room: "a", user: "alice" });
        await t.expectSent(/^old111 .* — renew the certificate · old222 .* — reminder: is a word too$/);

        clock.set(T0 + 3_600_000);
        scheduler.wake();
        const mine = await t.console.waitFor((s) => s.msg.idempotencyKey.startsWith("reminder:old111"));
        assert.equal(mine.text, "alice: reminder: renew the certificate");
        assert.deepEqual(mine.msg.allowedMentions, ["alice"]);

        clock.set(T0 + 7_200_000);
        scheduler.wake();
        const room = await t.console.waitFor((s) => s.msg.idempotencyKey.startsWith("reminder:old222"));
        assert.equal(room.text, "reminder: is a word too");
      } finally {
        await t.close();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
