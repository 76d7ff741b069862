/** Advisory notices: sources, dedupe across them, never early, no flood, no repeats, hostile feeds. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp, type TestApp } from "../../../helpers/app.js";
import { FixtureServer } from "./server.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const DAY = 86_400_000;
const fixture = (name: string, when = NOW - 3_600_000) =>
  readFileSync(join("test/fixtures/advisories", name), "utf8")
    .replaceAll("{{RECENT}}", new Date(when).toUTCString())
    .replaceAll("{{RECENT_ISO}}", new Date(when).toISOString());

const rooms = { console: { user: "op", rooms: ["a", "b", "admin"] } };
const notices = (t: TestApp, room: string) =>
  t.console.sent.filter((s) => s.room === room && s.text.startsWith("Security advisory"));
const watcher = (t: TestApp) => t.app.features.advisories.watcher;
/** Waits for n notices, moving the fake clock on so paced notices (one a second) go out. */
const settle = async (t: TestApp, n: number, room = "a") => {
  const clock = t.app.ctx.clock as FakeClock;
  const end = Date.now() + 5000;
  while (notices(t, room).length < n && Date.now() < end) {
    clock.advance(1_000);
    t.app.ctx.outbox.wake("console");
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 50));
};

async function appWith(
  _server: FixtureServer,
  sources: unknown[],
  extra: Record<string, unknown> = {},
  stateDir?: string,
  clock = new FakeClock(NOW),
) {
  return makeTestApp(
    { accounts: rooms, adminRooms: ["console/admin"], advisories: { sources, backlog: "7d", timeout: "4s", ...extra } },
    { clock, stateDir },
  );
}

describe("advisory notices", () => {
  const server = new FixtureServer();
  before(() => server.start());
  after(() => server.stop());

  it("posts an advisory seen in a feed, OSV and GitHub once per room; a different CVE separately", async () => {
    server.routes.set("/rss", { body: fixture("kamailio-rss.xml") });
    server.routes.set("/osv", { body: fixture("osv.json") });
    server.routes.set("/api/repos/kamailio/kamailio/security-advisories?state=published&per_page=100", {
      body: fixture("ghsa.json"),
    });
    const t = await appWith(server, [
      { id: "rss", kind: "rss", url: server.url("/rss"), to: ["console/a", "console/b"] },
      { id: "osv", kind: "osv", url: server.url("/osv"), to: ["console/a", "console/b"] },
      { id: "gh", kind: "github", repo: "kamailio/kamailio", url: server.url("/api"), to: ["console/a"] },
    ]);
    try {
      for (const id of ["rss", "osv", "gh"]) await watcher(t).pollNow(id);
      await settle(t, 2);
      const a = notices(t, "a").map((n) => n.text);
      assert.equal(a.length, 2, a.join("\n"));
      assert.equal(a.filter((x) => x.includes("CVE-2020-28361")).length, 1);
      assert.equal(a.filter((x) => x.includes("CVE-2024-1234")).length, 1);
      assert.equal(notices(t, "b").length, 2);
      assert.match(a.find((x) => x.includes("28361"))!, /heap overflow/i);
    } finally {
      await t.close();
    }
  });

  it("reads OSV and Markdown advisories from a directory, with severity and versions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-adv-dir-"));
    writeFileSync(join(dir, "KSA-2026-01.md"), fixture("advisory.md"));
    writeFileSync(join(dir, "broken.json"), "{ not json");
    const t = await appWith(server, [{ id: "dir", kind: "directory", path: dir, to: ["console/a"] }]);
    try {
      await watcher(t).pollNow("dir");
      await settle(t, 1);
      const [n] = notices(t, "a");
      assert.match(
        n.text,
        /CVE-2026-11111: Kamailio SIP header parsing crash — severity critical; affected 5\.7\.0 - 5\.8\.2; fixed in 5\.8\.3 — https:\/\/example\.org\/ksa\/2026-01/,
      );
    } finally {
      await t.close();
    }
  });

  it("holds an advisory published in the future until it is public, then posts it once", async () => {
    const clock = new FakeClock(NOW);
    server.routes.set("/future", { body: fixture("osv.json", NOW + 2 * 3_600_000) });
    const t = await appWith(
      server,
      [{ id: "future", kind: "osv", url: server.url("/future"), to: ["console/a"] }],
      {},
      undefined,
      clock,
    );
    try {
      await watcher(t).pollNow("future");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(notices(t, "a").length, 0, "not before it is public");
      clock.set(NOW + 2 * 3_600_000 + 1000);
      await settle(t, 1);
      assert.equal(notices(t, "a").length, 1);
      await watcher(t).pollNow("future");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(notices(t, "a").length, 1);
    } finally {
      await t.close();
    }
  });

  it("posts only the backlog window on first subscription, and nothing again after a restart", async () => {
    const items = Array.from({ length: 100 }, (_, i) => {
      const when = NOW - (i < 3 ? i + 1 : 10 + i) * DAY;
      return `<item><title>Advisory CVE-2025-${10000 + i}</title><link>https://example.org/a/${i}</link><guid>g${i}</guid><pubDate>${new Date(when).toUTCString()}</pubDate></item>`;
    });
    server.routes.set("/many", {
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>${items.join("")}</channel></rss>`,
    });
    const stateDir = mkdtempSync(join(tmpdir(), "crier-adv-"));
    const t = await appWith(
      server,
      [{ id: "many", kind: "rss", url: server.url("/many"), to: ["console/a"] }],
      {},
      stateDir,
    );
    await watcher(t).pollNow("many");
    await settle(t, 3);
    assert.equal(notices(t, "a").length, 3);
    await t.app.stop();
    const again = await appWith(
      server,
      [{ id: "many", kind: "rss", url: server.url("/many"), to: ["console/a"] }],
      {},
      stateDir,
    );
    try {
      await watcher(again).pollNow("many");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(notices(again, "a").length, 0);
    } finally {
      await again.close();
    }
  });

  it("loses and repeats nothing when crier stops between recording and posting", async () => {
    server.routes.set("/crash", { body: fixture("kamailio-rss.xml") });
    const stateDir = mkdtempSync(join(tmpdir(), "crier-adv-crash-"));
    const t = await appWith(
      server,
      [{ id: "crash", kind: "rss", url: server.url("/crash"), to: ["console/a"] }],
      {},
      stateDir,
    );
    await t.console.stop();
    await watcher(t).pollNow("crash");
    await t.app.stop();
    const again = await appWith(
      server,
      [{ id: "crash", kind: "rss", url: server.url("/crash"), to: ["console/a"] }],
      {},
      stateDir,
    );
    try {
      await watcher(again).pollNow("crash");
      await settle(again, 2);
      assert.equal(notices(again, "a").length, 2);
    } finally {
      await again.close();
    }
  });

  it("uses conditional GET, and dedupes a feed whose item ids change on every fetch", async () => {
    let n = 0;
    server.routes.set("/etag", { etag: '"v1"', body: fixture("kamailio-rss.xml") });
    server.routes.set("/shifty", {
      body: () =>
        `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>Release notes</title><link>https://example.org/notes</link><guid>id-${++n}</guid><pubDate>${new Date(NOW - 3_600_000).toUTCString()}</pubDate></item></channel></rss>`,
    });
    const t = await appWith(server, [
      { id: "etag", kind: "rss", url: server.url("/etag"), to: ["console/a"] },
      { id: "shifty", kind: "rss", url: server.url("/shifty"), to: ["console/b"] },
    ]);
    try {
      await watcher(t).pollNow("etag");
      await watcher(t).pollNow("etag");
      assert.equal(server.hits.get("/etag")?.at(-1)?.["if-none-match"], '"v1"');
      for (let i = 0; i < 3; i++) await watcher(t).pollNow("shifty");
      await settle(t, 1, "b");
      assert.equal(notices(t, "b").length, 1);
    } finally {
      await t.close();
    }
  });

  it("refuses a body over the cap while it streams (1 GiB offered without a length, 256 KiB cap)", async () => {
    server.routes.set("/huge", { hugeBytes: 1024 * 1024 * 1024 });
    // Its own small cap: the reading stops long before any timeout, however busy the machine.
    const t = await appWith(server, [{ id: "huge", kind: "rss", url: server.url("/huge"), to: ["console/a"] }], {
      maxBodyBytes: 256 * 1024,
    });
    try {
      await watcher(t).pollNow("huge");
      const status = Object.fromEntries((await watcher(t).status()).map((s) => [s.id, s.error]));
      assert.match(status.huge ?? "", /cap/);
    } finally {
      await t.close();
    }
  });

  it("refuses hostile feeds without crashing, and warns admins once about a failing source", async () => {
    server.routes.set("/laughs", {
      body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>`,
    });
    server.routes.set("/slow", { hang: true });
    server.routes.set("/redirect", { status: 302, headers: { location: `http://localhost:${server.port}/rss` } });
    const big = Array.from(
      { length: 100_000 },
      (_, i) => `<item><title>CVE-2025-${100000 + i}</title><guid>${i}</guid></item>`,
    ).join("");
    server.routes.set("/100k", { body: `<rss version="2.0"><channel>${big}</channel></rss>` });
    const t = await appWith(
      server,
      ["laughs", "slow", "redirect", "100k"].map((id) => ({
        id,
        kind: "rss",
        url: server.url(`/${id}`),
        to: ["console/a"],
      })),
      { maxBodyBytes: 8 * 1024 * 1024 },
    );
    try {
      for (const id of ["redirect", "laughs", "slow"]) await watcher(t).pollNow(id);
      const t0 = Date.now();
      assert.equal(await watcher(t).pollNow("100k"), 0, "a first poll of 100,000 undated items posts none");
      console.log(`advisories: 100,000-item feed read in ${Date.now() - t0} ms (first 1,000 items considered)`);
      const status = Object.fromEntries((await watcher(t).status()).map((s) => [s.id, s.error]));
      assert.match(status.laughs ?? "", /DOCTYPE or ENTITY/);
      assert.match(status.slow ?? "", /no complete answer/);
      assert.match(status.redirect ?? "", /redirect to another host \(localhost:\d+\) refused/);
      for (let i = 0; i < 5; i++) await watcher(t).pollNow("laughs");
      await new Promise((r) => setTimeout(r, 100));
      const warnings = t.console.sent.filter((s) => s.room === "admin" && s.text.includes('"laughs" keeps failing'));
      assert.equal(warnings.length, 1);
      await t.say("!ping", { room: "a" });
      await t.expectSent("pong");
    } finally {
      await t.close();
    }
  });
});
