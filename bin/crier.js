#!/usr/bin/env node
// Runs the compiled build, dist/main.js (`npm run build`, which `npm ci` runs as `prepare`). Production installs
// (`npm ci --omit=dev`, the Docker image) have no TypeScript runtime and run only that.
// In a development checkout — tsx installed — it runs the TypeScript sources instead when dist/ is missing or
// older than a file under src/, so an edit takes effect without a rebuild; CRIER_RUN_SOURCES=1 always runs them.
import { readdirSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

/** The newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir) {
  let max = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    max = Math.max(max, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

/** When the build in dist/ was completed (0 when there is none). */
function builtAt() {
  try {
    return statSync(new URL("dist/.built", root)).mtimeMs;
  } catch {
    return 0;
  }
}

function tsxInstalled() {
  try {
    import.meta.resolve("tsx/esm/api");
    return true;
  } catch {
    return false;
  }
}

const built = builtAt();
const fresh = built > 0 && built >= newest(new URL("src", root).pathname);
const runSources = Boolean(process.env.CRIER_RUN_SOURCES);

if ((runSources || !fresh) && tsxInstalled()) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
} else if (runSources) {
  process.stderr.write("crier: CRIER_RUN_SOURCES=1 needs tsx, a devDependency — run `npm ci`\n");
  process.exit(1);
} else if (built > 0) {
  if (!fresh) process.stderr.write("crier: dist/ is older than src/ and tsx is not installed — run `npm run build`\n");
  await import("../dist/main.js");
} else {
  process.stderr.write("crier: no compiled build in dist/ — run `npm run build`\n");
  process.exit(1);
}
