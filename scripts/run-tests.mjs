#!/usr/bin/env node
// Runs node's built-in test runner over every *.test.ts under the given folders (Node 20 has no glob in --test).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const extra = process.argv.slice(2).filter((a) => a.startsWith("--"));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".test.ts")) files.push(p);
  }
};
for (const r of roots.length ? roots : ["test"]) {
  if (statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
if (!files.length) {
  console.error(`no test files under ${roots.join(", ")}`);
  process.exit(1);
}
// One file at a time by default: the e2e files each start InspIRCd, Synapse and crier, and two at once on a
// 2-core machine made their waits time out. CRIER_TEST_CONCURRENCY=2 for a faster run on a bigger machine.
const concurrency = process.env.CRIER_TEST_CONCURRENCY ?? "1";
const r = spawnSync(
  process.execPath,
  // A hung test fails after five minutes instead of holding CI until its limit.
  [
    "--import",
    "tsx",
    "--import",
    "./test/helpers/stray-errors.ts",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-timeout=300000",
    "--test-reporter=spec",
    ...extra,
    ...files,
  ],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
