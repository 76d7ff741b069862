/** `npm run fuzz -- --runs N`: N inputs spread over every target; prints inputs tried, failures and time. */
import fc from "fast-check";
import { allTargets, checkBounded } from "./targets.js";

const arg = process.argv.indexOf("--runs");
const runs = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
const targets = allTargets();
const perTarget = Math.max(1, Math.ceil(runs / targets.length));
const started = performance.now();
let inputs = 0;
let failures = 0;
for (const target of targets) {
  const t0 = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(target.arbitrary, async (input) => {
        inputs++;
        await checkBounded(target, input);
      }),
      { numRuns: perTarget },
    );
    console.log(`${target.name}: ${perTarget} inputs ok (${Math.round(performance.now() - t0)} ms)`);
  } catch (err) {
    failures++;
    console.log(`${target.name}: FAILED\n${(err as Error).message}`);
  }
}
console.log(`fuzz: ${inputs} inputs, ${failures} failures, ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures ? 1 : 0);
