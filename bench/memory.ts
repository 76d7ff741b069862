/**
 * Where a console-only crier's memory goes, and what cheap V8 flags buy (issue 24's footprint goals):
 * - per phase, in a fresh compiled (dist/) process with --expose-gc, process.memoryUsage() after a full GC: bare
 *   node, the config and log modules, crier's app with its static imports, the example config loaded, App.create
 *   (store opened and migrated), started and 3 s idle, then each platform library loaded on top (what an account
 *   of that platform adds);
 * - each platform library alone in a bare node (its own cost, shared parts counted);
 * - console-only idle RSS of `crier start` (config/example.yaml) with flags (BENCH_MEMORY_FLAGS, ";"-separated
 *   sets; quick: none), BENCH_MEMORY_RUNS runs each (default 2), the sets interleaved;
 * - the in-process relay and `!time` figures under the flag sets that save memory (full run only).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CrierProcess, ensureCompiled, type Figure, figure, ROOT, sleep } from "./_process.js";

const DIST = join(ROOT, "dist");

const PHASES = `
const rows = [];
const t0 = performance.now();
const snap = (label) => {
  globalThis.gc();
  const m = process.memoryUsage();
  rows.push({ label, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, ms: performance.now() - t0 });
};
snap("bare node");
const { loadConfig } = await import("${DIST}/config/load.js");
const { createLogger } = await import("${DIST}/core/log.js");
snap("+ config and log modules (zod, yaml, pino)");
const { App } = await import("${DIST}/app.js");
snap("+ crier's app and features (static imports)");
const { config } = loadConfig("${ROOT}/config/example.yaml");
snap("+ config/example.yaml loaded");
const app = await App.create({ config, log: createLogger({ level: "silent" }), stateDir: process.argv[1] });
snap("+ App.create (SQLite store opened, migrated)");
await app.start();
await new Promise((r) => setTimeout(r, 3000));
snap("+ started, 3 s idle (console-only crier)");
for (const lib of ["irc-framework", "matrix-bot-sdk", "discord.js"]) {
  await import(lib);
  snap("+ " + lib);
}
await app.stop();
(await import("node:fs")).writeSync(3, JSON.stringify(rows));
process.exit(0);
`;

const ALONE = (lib: string) => `
globalThis.gc();
const before = process.memoryUsage();
const t0 = performance.now();
await import("${lib}");
const ms = performance.now() - t0;
globalThis.gc();
const after = process.memoryUsage();
(await import("node:fs")).writeSync(3, JSON.stringify({ rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, ms }));
process.exit(0);
`;

const MiB = (b: number) => b / 2 ** 20;

function node(code: string, args: string[] = []): unknown {
  const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", code, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    // The console account's chat goes to stdout; the figures come on fd 3.
    stdio: ["pipe", "ignore", "pipe", "pipe"],
    input: "",
  });
  if (r.status !== 0) throw new Error(`profile child failed: ${r.stderr.slice(-1500)}`);
  return JSON.parse(String(r.output[3]));
}

function phases(out: Figure[]): void {
  const rows = node(PHASES, [mkdtempSync(join(tmpdir(), "crier-mem-"))]) as {
    label: string;
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    ms: number;
  }[];
  let previous = 0;
  for (const r of rows) {
    out.push(
      figure(`per phase (compiled, after GC): ${r.label}: RSS`, MiB(r.rss), "MiB", {
        addedRss: Math.round(MiB(r.rss - previous) * 10) / 10,
        heapUsed: Math.round(MiB(r.heapUsed) * 10) / 10,
        heapTotal: Math.round(MiB(r.heapTotal) * 10) / 10,
        external: Math.round(MiB(r.external) * 10) / 10,
        msSinceStart: Math.round(r.ms),
      }),
    );
    previous = r.rss;
  }
  for (const lib of ["irc-framework", "matrix-bot-sdk", "express", "discord.js", "pg", "better-sqlite3"]) {
    const r = node(ALONE(lib)) as { rss: number; heapUsed: number; ms: number };
    out.push(
      figure(`${lib} alone in a bare node: RSS added`, MiB(r.rss), "MiB", {
        heapUsed: Math.round(MiB(r.heapUsed) * 10) / 10,
        loadMs: Math.round(r.ms),
        ...(lib === "express" ? { note: "matrix-bot-sdk's index loads it (its appservice server)" } : {}),
      }),
    );
  }
}

async function flagged(flags: string[], out: Figure[]): Promise<void> {
  const crier = new CrierProcess(
    join(ROOT, "config/example.yaml"),
    mkdtempSync(join(tmpdir(), "crier-mem-")),
    "compiled",
    flags,
  );
  const tag = flags.length ? flags.join(" ") : "no flags";
  try {
    out.push(figure(`console only, compiled, ${tag}: start → "crier started"`, await crier.started, "ms"));
    await sleep(5_000);
    out.push(figure(`console only, compiled, ${tag}: idle RSS`, crier.memory().rss, "MiB", { goal: "≤ 70" }));
  } finally {
    await crier.stop();
  }
}

/** The in-process relay and !time figures run under `flags` (tsx; the work is crier's own code either way). */
function inProcessUnder(flags: string[], out: Figure[]): void {
  const r = spawnSync(
    process.execPath,
    [...flags, "--import", "tsx", join(ROOT, "bench/index.ts"), "--only", "relay,time-command", "--json"],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, BENCH_RELAY_MESSAGES: "3000" } },
  );
  if (r.status !== 0) return;
  const tag = flags.length ? flags.join(" ") : "no flags";
  const figures = (JSON.parse(r.stdout) as { figures: Figure[] }).figures;
  for (const f of figures)
    if (/acceptedPerSecond|deliveredCopiesPerSecond|p50|conversions/.test(f.name))
      out.push({ ...f, name: `${f.name} (${tag})` });
}

export async function run(): Promise<{ figures: Figure[] }> {
  ensureCompiled();
  const quick = process.env.BENCH_QUICK === "1";
  const figures: Figure[] = [];
  phases(figures);
  const sets = (
    process.env.BENCH_MEMORY_FLAGS ??
    (quick ? "" : ";--max-semi-space-size=1;--optimize-for-size;--lite-mode;--max-semi-space-size=1 --lite-mode")
  )
    .split(";")
    .map((s) => s.split(" ").filter(Boolean));
  if (sets.length > 1 || sets[0].length) {
    const runs = Number(process.env.BENCH_MEMORY_RUNS ?? 2);
    for (let i = 0; i < runs; i++) for (const flags of sets) await flagged(flags, figures);
  }
  if (!quick) for (const flags of [[], ["--lite-mode"]]) inProcessUnder(flags, figures);
  return { figures };
}
