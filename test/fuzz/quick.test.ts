/** The quick fuzz run, part of every test run: a few hundred inputs per target. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { allTargets, checkBounded } from "./targets.js";

const RUNS = Number(process.env.CRIER_FUZZ_RUNS ?? 300);

describe("fuzz (quick run)", () => {
  let total = 0;
  for (const target of allTargets()) {
    it(target.name, async () => {
      await fc.assert(
        fc.asyncProperty(target.arbitrary, async (input) => {
          total++;
          await checkBounded(target, input);
        }),
        { numRuns: RUNS },
      );
    });
  }
  it("summary", () => {
    assert.equal(total, RUNS * allTargets().length, "every target ran every input");
    console.log(`fuzz: ${total} inputs, 0 failures`);
  });
});
