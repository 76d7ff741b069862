/** crier's one backoff policy (core/backoff.ts): capped doubling, then jitter; exact with a given random source. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BackoffPolicy, backoffDelay, jittered, longestDelay } from "../../../src/core/backoff.js";

/** A random source that returns the given values in turn (then the last one again). */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
};

describe("backoff", () => {
  it("doubles from the initial delay to the cap, without jitter exactly", () => {
    const p: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, jitter: "none" };
    assert.deepEqual(
      Array.from({ length: 8 }, (_, n) => backoffDelay(p, n)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
    );
  });

  it("stays at the cap however many failures there were (2 ** n overflows past 1023)", () => {
    const p: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: "none" };
    for (const n of [20, 1_023, 1_024, 100_000, Number.MAX_SAFE_INTEGER]) assert.equal(backoffDelay(p, n), 60_000);
    assert.equal(backoffDelay(p, -3), 1_000, "a negative attempt counts as the first");
  });

  it("half jitter draws whole milliseconds in [d/2, d)", () => {
    const p: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, jitter: "half" };
    assert.equal(
      backoffDelay(p, 0, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(p, 0, () => 0.999_999),
      999,
    );
    assert.equal(
      backoffDelay(p, 2, () => 0.5),
      3_000,
    );
    assert.equal(
      backoffDelay(p, 10, () => 0),
      15_000,
    );
    for (let n = 0; n < 12; n++) {
      const d = Math.min(30_000, 1_000 * 2 ** n);
      for (let k = 0; k < 50; k++) {
        const got = backoffDelay(p, n);
        assert.ok(Number.isInteger(got) && got >= d / 2 && got < d, `attempt ${n}: ${got} in [${d / 2}, ${d})`);
      }
    }
  });

  it("spread jitter draws in [d·(1 − s), d·(1 + s)), and the longest delay is the cap spread upwards", () => {
    const p: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: { spread: 0.2 } };
    assert.equal(
      backoffDelay(p, 0, () => 0),
      800,
    );
    assert.equal(
      backoffDelay(p, 0, () => 0.5),
      1_000,
    );
    assert.equal(
      backoffDelay(p, 1, () => 0.75),
      2_000 * 1.1,
    );
    assert.ok(backoffDelay(p, 9, () => 0.999_999) < 72_000);
    assert.equal(longestDelay(p), 72_000);
    assert.equal(longestDelay({ ...p, jitter: "half" }), 60_000);
    assert.equal(longestDelay({ ...p, jitter: "none" }), 60_000);
    for (let k = 0; k < 200; k++) {
      const got = backoffDelay(p, 30);
      assert.ok(got >= 48_000 && got < 72_000, String(got));
    }
  });

  it("is exact for a given random source, so a test can replay a sequence", () => {
    const p: BackoffPolicy = { initialMs: 100, maxMs: 1_000, jitter: "half" };
    const random = sequence(0, 0.5, 0.25, 0.999);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((n) => backoffDelay(p, n, random)),
      [50, 150, 250, 799, 999],
    );
    assert.equal(
      jittered(300_000, { spread: 0.1 }, () => 0),
      270_000,
    );
    assert.equal(
      jittered(300_000, "none", () => 0.3),
      300_000,
    );
  });
});
