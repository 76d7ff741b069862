/**
 * `npm run bench [-- --json] [-- --quick] [-- --only NAME[,NAME]]`: runs bench/*.ts modules (each exports `run()`)
 * and prints their figures. Every figure is `{name, value, unit, load, …}` (peer and ratio where heisenbridge does
 * the same work); modules that return plain numbers have them turned into figures here. `--quick` runs a subset,
 * smaller, in under 3 minutes. Benchmarks are never part of the tests and never fail on a timing.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Figure } from "./_process.js";

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1].split(",") : undefined;

/** What --quick runs, and how small. */
const QUICK = ["relay", "time-command", "bridges", "footprint"];
if (quick) {
  process.env.BENCH_QUICK = "1";
  const defaults: Record<string, string> = {
    BENCH_RELAY_MESSAGES: "2000",
    BENCH_REMINDERS: "20000",
    BENCH_FOOTPRINT_RUNS: "1",
    BENCH_FOOTPRINT_CONNECTED: "",
    BENCH_FOOTPRINT_PEER: "0",
  };
  for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;
}

const modules = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""))
  .filter((name) => (only ? only.includes(name) : !quick || QUICK.includes(name)))
  .sort();

const UNITS: [RegExp, string][] = [
  [/MiB$/, "MiB"],
  [/Ms$|ms$|^ms/, "ms"],
  [/PerSecond$/, "/s"],
];

/** A module's plain result as figures: every number a figure named after its path, its unit read from the key. */
function asFigures(module: string, result: unknown, path: string[] = []): Figure[] {
  if (typeof result === "number") {
    const key = path[path.length - 1] ?? "";
    const unit = UNITS.find(([re]) => re.test(key))?.[1] ?? "";
    return [{ name: `${module}: ${path.join(".")}`, value: result, unit, load: Math.round(loadavg()[0] * 100) / 100 }];
  }
  if (result && typeof result === "object")
    return Object.entries(result).flatMap(([k, v]) => asFigures(module, v, [...path, k]));
  return [];
}

const t00 = performance.now();
const figures: (Figure & { module: string })[] = [];
const timings: Record<string, number> = {};
for (const name of modules) {
  const mod = (await import(join(here, `${name}.ts`))) as { run(): Promise<unknown> };
  if (!json) process.stdout.write(`${name}… `);
  const t0 = performance.now();
  let result: unknown;
  try {
    result = await mod.run();
  } catch (err) {
    // A module that breaks leaves its figures out; the others still run (nothing here fails on a timing).
    process.stderr.write(`bench: ${name} failed: ${(err as Error).stack}\n`);
    result = { figures: [] };
  }
  timings[name] = Math.round((performance.now() - t0) / 100) / 10;
  const own = (result as { figures?: Figure[] }).figures;
  const mine = (Array.isArray(own) ? own : asFigures(name, result)).map((f) => ({ module: name, ...f }));
  figures.push(...mine);
  if (!json) {
    process.stdout.write(`${timings[name]} s\n`);
    for (const f of mine) {
      const peer = f.peer !== undefined ? `  (heisenbridge ${f.peer ?? "—"}, ratio ${f.ratio ?? "—"})` : "";
      process.stdout.write(`  ${f.name}: ${f.value ?? "—"} ${f.unit}${peer}  [load ${f.load}]\n`);
    }
  }
}
/** The commit measured (with "+changes" when the checkout differs from it), so figures can be told from older code. */
function commit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: here, encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--", ":/src", ":/bench") ? "+changes" : ""}`;
  } catch {
    return null;
  }
}

const summary = {
  commit: commit(),
  node: process.version,
  tz: process.versions.tz,
  cpus: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  quick,
  seconds: Math.round((performance.now() - t00) / 100) / 10,
  moduleSeconds: timings,
  figures,
};
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else process.stdout.write(`total ${summary.seconds} s\n`);
process.exit(0);
