/** Connection state as reported, the one backoff policy, and how !status words an account. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionTracker, describeError, Reconnector } from "../../../src/core/connection.js";
import { describeAccount, describeRole } from "../../../src/features/status.js";

describe("ConnectionTracker", () => {
  it("records state changes with their time, failures with the error and the next try, and clears them on success", () => {
    let now = 1_000;
    const t = new ConnectionTracker(() => now);
    assert.deepEqual(t.snapshot(), { state: "disconnected", since: 1_000, failures: 0 });
    now = 2_000;
    t.set("connecting");
    assert.equal(t.snapshot().since, 2_000);
    now = 3_000;
    t.failed(new Error("connect ECONNREFUSED 127.0.0.1:6667"), 4_000);
    assert.deepEqual(t.snapshot(), {
      state: "disconnected",
      since: 3_000,
      failures: 1,
      lastError: "connect ECONNREFUSED 127.0.0.1:6667",
      lastErrorAt: 3_000,
      nextRetryAt: 7_000,
    });
    now = 7_000;
    t.set("connecting");
    t.failed(new Error("getaddrinfo ENOTFOUND irc.example.invalid"), 8_000);
    assert.equal(t.snapshot().failures, 2);
    now = 16_000;
    t.set("connected");
    const up = t.snapshot();
    assert.equal(up.state, "connected");
    assert.equal(up.since, 16_000);
    assert.equal(up.failures, 0);
    assert.equal(up.nextRetryAt, undefined);
    assert.equal(up.lastError, "getaddrinfo ENOTFOUND irc.example.invalid", "the last error stays for the record");
  });

  it("keeps error texts to one line without secrets", () => {
    const text = describeError(new Error("GET https://u:hunter2@hs.example/x?access_token=syt_abc failed\n  at x"));
    assert.ok(!text.includes("hunter2") && !text.includes("syt_abc"), text);
    assert.ok(!text.includes("\n"));
    assert.ok(describeError(new Error("x".repeat(5000))).length <= 300);
  });
});

describe("Reconnector (capped exponential backoff with jitter)", () => {
  it("grows from about a second to the cap, each delay within [d/2, d), and starts over after reset", () => {
    const r = new Reconnector({ initialMs: 1_000, maxMs: 30_000 });
    const delays = Array.from({ length: 12 }, () => r.nextDelay());
    for (const [i, d] of delays.entries()) {
      const full = Math.min(30_000, 1_000 * 2 ** i);
      assert.ok(d >= full / 2 && d < full, `delay ${i} = ${d}, expected in [${full / 2}, ${full})`);
    }
    assert.ok(
      delays.slice(6).every((d) => d >= 15_000 && d < 30_000),
      "capped, still jittered",
    );
    r.reset();
    assert.ok(r.nextDelay() < 1_000);
  });

  it("runs the scheduled attempt once, and not at all when cancelled", async () => {
    const r = new Reconnector({ initialMs: 10, maxMs: 20 });
    let runs = 0;
    r.schedule(() => runs++);
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(runs, 1);
    r.schedule(() => runs++);
    r.cancel();
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(runs, 1);
  });
});

describe("!status wording", () => {
  it("names the active instance: alone (SQLite), this one with its lease term, or another seen from a standby", () => {
    assert.equal(describeRole({ role: "active", instance: "h:1", term: null, leader: "h:1" }), "active instance: h:1");
    assert.equal(
      describeRole({ role: "active", instance: "crier-1", term: 7, leader: "crier-1" }),
      "active instance: crier-1 (this one; lease term 7)",
    );
    assert.equal(
      describeRole({ role: "standby", instance: "crier-2", term: 7, leader: "crier-1" }),
      "active instance: crier-1 (lease term 7); this one, crier-2, is a standby",
    );
  });

  it("says state, since when, failures, the last error and the next try", () => {
    const now = Date.UTC(2026, 11, 1, 14, 9, 0);
    const line = describeAccount(
      {
        account: "irc.libera",
        state: "disconnected",
        since: Date.UTC(2026, 11, 1, 14, 2, 0),
        failures: 3,
        lastError: "connect ECONNREFUSED 127.0.0.1:6667",
        lastErrorAt: now - 5_000,
        nextRetryAt: now + 20_000,
      },
      now,
    );
    assert.equal(
      line,
      "irc.libera: disconnected since 2026-12-01 14:02:00 UTC, 3 failed tries, last error 5 s ago: connect ECONNREFUSED 127.0.0.1:6667, next try in 20 s",
    );
    assert.equal(
      describeAccount({ account: "console", state: "connected", since: now - 3_600_000, failures: 0 }, now),
      "console: connected since 2026-12-01 13:09:00 UTC",
    );
  });
});
