#!/usr/bin/env node
// Compiles src/ to dist/ (`npm run build`; also `prepare`, so `npm ci` leaves a build that `npx crier` runs).
// Emits without type checking (--noCheck): under isolatedModules + verbatimModuleSyntax the output does not depend
// on types (the same files either way), checking is `npm run typecheck`'s job, and it halves the time `npm ci` spends.
// The build goes to a sibling directory first and replaces dist/ only when complete, so an interrupted build never
// leaves half a dist/; dist/.built, written last, is what bin/crier.js compares with the sources.
// --prepare (the prepare script): where TypeScript is not installed (`npm ci --omit=dev`), keep dist/ as it is; where
// there are no sources yet (the Dockerfile installs before it copies src/, for its layer cache), build nothing.
// --out-dir DIR builds into DIR instead of dist/ (the production-install test builds a copy there).
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const outArg = process.argv.indexOf("--out-dir");
const dist = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, "dist");
const next = join(dirname(dist), `.${basename(dist)}-next`);

const prepare = process.argv.includes("--prepare");
if (prepare && !existsSync(join(root, "src"))) {
  console.error("crier: no src/ here, not building");
  process.exit(0);
}

let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  if (!prepare) {
    console.error("crier: cannot build: typescript is not installed (a devDependency) — run `npm ci`");
    process.exit(1);
  }
  const state = existsSync(`${dist}/.built`) ? "dist/ kept as it is" : "there is no dist/ to run";
  console.error(`crier: typescript is not installed, not building: ${state}`);
  process.exit(0);
}

rmSync(next, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noCheck", "--outDir", next], {
  cwd: root,
  stdio: "inherit",
});
if (r.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  console.error("crier: build failed");
  process.exit(r.status ?? 1);
}
writeFileSync(`${next}/.built`, "");
rmSync(dist, { recursive: true, force: true });
renameSync(next, dist);
