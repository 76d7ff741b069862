/**
 * Advisory notices as a community reads them: bad files in a directory reported once by name, no repeated prefix,
 * OSV severity from a CVSS vector, "all versions before …", withdrawals, and sources that do not wait on each other.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cvss3BaseScore } from "../../../../src/features/advisories/types.js";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp, type TestApp } from "../../../helpers/app.js";
import { FixtureServer } from "./server.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const RECENT = new Date(NOW - 3_600_000).toISOString();
const rooms = { console: { user: "op", rooms: ["a", "b", "admin"] } };
const watcher = (t: TestApp) => t.app.features.advisories.watcher;
const sentIn = (t: TestApp, room: string, start = "") =>
  t.console.sent.filter((s) => s.room === room && s.text.startsWith(start)).map((s) => s.text);
const app = (sources: unknown[]) =>
  makeTestApp(
    { accounts: rooms, adminRooms: ["console/admin"], advisories: { sources, backlog: "7d", timeout: "4s" } },
    { clock: new FakeClock(NOW) },
  );
const settle = () => new Promise((r) => setTimeout(r, 150));

const osv = (extra: Record<string, unknown>) =>
  JSON.stringify({
    id: "KSA-2026-07",
    aliases: ["CVE-2026-42002"],
    summary: "Kamailio tm module crash",
    published: RECENT,
    modified: RECENT,
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    affected: [
      {
        package: { name: "kamailio", ecosystem: "Debian" },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "5.6.6-1" }] }],
      },
    ],
    references: [{ type: "ADVISORY", url: "https://example.org/ksa/2026-07" }],
    ...extra,
  });

describe("advisory notices read right", () => {
  const server = new FixtureServer();
  before(() => server.start());
  after(() => server.stop());

  it("CVSS 3 base scores by the specification", () => {
    assert.equal(cvss3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
    assert.equal(cvss3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
    assert.equal(cvss3BaseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
    assert.equal(cvss3BaseScore("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"), 5.9);
    assert.equal(cvss3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0);
    assert.equal(cvss3BaseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), undefined);
    assert.equal(cvss3BaseScore("CVSS:3.1/AV:X"), undefined);
  });

  it("bad files in a directory are reported to admins once each, by name and reason, and !advisories says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-adv-bad-"));
    writeFileSync(join(dir, "truncated.json"), '{"id": "KSA-1", "summary": "cut');
    writeFileSync(join(dir, "notes.md"), "# Just notes\n\nno front matter here\n");
    writeFileSync(join(dir, "KSA-2026-07.json"), osv({}));
    const t = await app([{ id: "dir", kind: "directory", path: dir, to: ["console/a"] }]);
    try {
      await watcher(t).pollNow("dir");
      await watcher(t).pollNow("dir");
      await settle();
      const warnings = sentIn(t, "admin").filter((s) => s.includes("skipped"));
      assert.equal(warnings.length, 2, warnings.join("\n"));
      assert.ok(
        warnings.some((w) => /"dir" skipped truncated\.json: .*JSON/i.test(w)),
        warnings.join("\n"),
      );
      assert.ok(
        warnings.some((w) => /"dir" skipped notes\.md: no front matter/.test(w)),
        warnings.join("\n"),
      );
      assert.equal(sentIn(t, "a", "Security advisory").length, 1, "the good file is still posted");
      await t.say("!advisories", { room: "admin" });
      const status = await t.expectSent("dir (directory)");
      assert.match(status, /2 files skipped: notes\.md \(no front matter[^)]*\), truncated\.json \(/, status);
      assert.ok(!/, ok/.test(status), status);
    } finally {
      await t.close();
    }
  });

  it("a feed item titled 'Security advisory CVE-…: …' does not repeat the prefix", async () => {
    server.routes.set("/titled", {
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>k</title><item><title>Security advisory CVE-2026-42001: SIP parser overflow</title><link>https://example.org/a/42001</link><guid>42001</guid><pubDate>${new Date(NOW - 3_600_000).toUTCString()}</pubDate></item></channel></rss>`,
    });
    const t = await app([{ id: "rss", kind: "rss", url: server.url("/titled"), to: ["console/a"] }]);
    try {
      await watcher(t).pollNow("rss");
      const n = await t.expectSent("Security advisory");
      assert.equal(n, "Security advisory CVE-2026-42001: SIP parser overflow — https://example.org/a/42001");
    } finally {
      await t.close();
    }
  });

  it("OSV: severity from the CVSS vector, introduced 0 as 'all versions before'", async () => {
    server.routes.set("/osv-cvss", { body: osv({}) });
    const t = await app([{ id: "osv", kind: "osv", url: server.url("/osv-cvss"), to: ["console/a"] }]);
    try {
      await watcher(t).pollNow("osv");
      const n = await t.expectSent("Security advisory");
      assert.equal(
        n,
        "Security advisory CVE-2026-42002: Kamailio tm module crash — severity critical; affected all versions before 5.6.6-1; fixed in 5.6.6-1 — https://example.org/ksa/2026-07",
      );
      assert.ok(!/from 0/.test(n));
    } finally {
      await t.close();
    }
  });

  it("an advisory withdrawn after it was posted gets one short withdrawal notice in the same rooms", async () => {
    let body = osv({});
    server.routes.set("/osv-w", { body: () => body });
    const t = await app([{ id: "osv", kind: "osv", url: server.url("/osv-w"), to: ["console/a", "console/b"] }]);
    try {
      await watcher(t).pollNow("osv");
      await t.expectSent("Security advisory CVE-2026-42002");
      body = osv({ withdrawn: new Date(NOW - 60_000).toISOString(), modified: new Date(NOW - 60_000).toISOString() });
      await watcher(t).pollNow("osv");
      await watcher(t).pollNow("osv");
      (t.app.ctx.clock as FakeClock).advance(5_000);
      t.app.ctx.outbox.wake("console");
      await t.expectSent("Withdrawn");
      await settle();
      for (const room of ["a", "b"]) {
        const w = sentIn(t, room, "Withdrawn");
        assert.deepEqual(w, [
          "Withdrawn: security advisory CVE-2026-42002 (Kamailio tm module crash) — its publisher withdrew it; disregard the earlier notice",
        ]);
      }
      assert.equal(sentIn(t, "admin", "Withdrawn").length, 0, "only where the notice went");
    } finally {
      await t.close();
    }
  });

  it("a withdrawn advisory never posted says nothing", async () => {
    server.routes.set("/osv-w0", { body: osv({ withdrawn: RECENT, id: "KSA-2026-08", aliases: ["CVE-2026-42003"] }) });
    const t = await app([{ id: "osv", kind: "osv", url: server.url("/osv-w0"), to: ["console/a"] }]);
    try {
      assert.equal(await watcher(t).pollNow("osv"), 0);
      await settle();
      assert.equal(sentIn(t, "a").length, 0);
    } finally {
      await t.close();
    }
  });

  it("sources are polled independently: a hanging source does not hold back the others", async () => {
    server.routes.set("/hangs", { hang: true });
    server.routes.set("/osv-fast", { body: osv({}) });
    const t = await app([
      { id: "slow", kind: "rss", url: server.url("/hangs"), to: ["console/a"] },
      { id: "fast", kind: "osv", url: server.url("/osv-fast"), to: ["console/a"] },
    ]);
    try {
      // The loops started with the app; the fast source's notice arrives while the slow one is still hanging.
      await t.expectSent("Security advisory CVE-2026-42002", { ms: 3500 });
      const slow = (await watcher(t).status()).find((s) => s.id === "slow");
      assert.equal(slow?.failures, 0, "the slow source has not even failed yet");
      assert.equal(slow?.lastPoll, null);
    } finally {
      await t.close();
    }
  });
});
