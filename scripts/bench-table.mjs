#!/usr/bin/env node
// `node scripts/bench-table.mjs < bench.json`: the JSON of `npm run bench -- --json` as the Markdown tables of
// BENCHMARKS.md, one per module: each figure with heisenbridge's beside it, the ratio, the goal and the load.
import { readFileSync } from "node:fs";

// Piped into head and the like: a closed stdout ends the table, not with a stack trace.
process.stdout.on("error", () => process.exit(0));
const text = readFileSync(0, "utf8");
const line = text.split("\n").find((l) => l.startsWith("{") && l.includes('"figures"'));
if (!line) {
  process.stderr.write("bench-table: no JSON summary on stdin (run `npm run bench -- --json`)\n");
  process.exit(1);
}
const run = JSON.parse(line);
const show = (v) => (v === null || v === undefined ? "—" : typeof v === "number" ? v.toLocaleString("en") : String(v));
const cell = (v) => show(v).replaceAll("|", "\\|");

process.stdout.write(
  `commit ${run.commit ?? "?"}, Node ${run.node}, ${run.cpus} cores, ${run.memoryGiB} GiB, ${run.quick ? "--quick" : "full run"}, ${run.seconds} s\n`,
);
const modules = [...new Set(run.figures.map((f) => f.module))];
for (const m of modules) {
  const figures = run.figures.filter((f) => f.module === m);
  const peer = figures.some((f) => f.peer !== undefined);
  process.stdout.write(`\n### ${m} (${run.moduleSeconds[m]} s)\n\n`);
  process.stdout.write(
    peer
      ? "| figure | crier | heisenbridge | ratio | goal | load |\n|---|---|---|---|---|---|\n"
      : "| figure | value | goal | load |\n|---|---|---|---|\n",
  );
  for (const f of figures) {
    const value = `${cell(f.value)} ${f.unit}`.trim();
    const goal = cell(f.goal ?? "");
    process.stdout.write(
      peer
        ? `| ${cell(f.name)} | ${value} | ${f.peer === undefined ? "" : cell(f.peer)} | ${f.ratio === undefined ? "" : cell(f.ratio)} | ${goal} | ${f.load} |\n`
        : `| ${cell(f.name)} | ${value} | ${goal} | ${f.load} |\n`,
    );
  }
}
