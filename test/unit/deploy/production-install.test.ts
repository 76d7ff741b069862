/**
 * A production install runs: dist/ with only the packages `npm ci --omit=dev` would install (the lockfile's entries
 * not marked dev) starts, checks a config and answers --help, and neither tsx nor typescript can be found from it.
 * No network: node_modules is made of symlinks into this checkout's, one per production package, and node runs with
 * --preserve-symlinks so that a package finds its own dependencies in that pruned tree, not in the full one.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = resolve(".");

function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    max = Math.max(max, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return max;
}

/** The top-level packages of a production install: the lockfile's `node_modules/<name>` entries not marked dev. */
function productionPackages(): Array<{ path: string; optional: boolean }> {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; optional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !p.dev)
    .map(([path, p]) => ({ path, optional: Boolean(p.optional) }));
}

describe("production install (devDependencies pruned)", () => {
  let dir = "";
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, ["--preserve-symlinks", script, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "crier-prod-"));
    for (const name of ["package.json", "package-lock.json", "config", "bin"])
      cpSync(join(ROOT, name), join(dir, name), { recursive: true });
    // The checkout's build when it is current (as after `npm ci`); otherwise one compiled from the sources now.
    const built = existsSync(join(ROOT, "dist/.built")) ? statSync(join(ROOT, "dist/.built")).mtimeMs : 0;
    if (built > 0 && built >= newest(join(ROOT, "src")))
      cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    else {
      const r = spawnSync(process.execPath, ["scripts/build.mjs", "--out-dir", join(dir, "dist")], {
        cwd: ROOT,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    let linked = 0;
    for (const { path, optional } of productionPackages()) {
      if (!existsSync(join(ROOT, path))) {
        assert.ok(optional, `${path} is in package-lock.json but not installed: run npm ci`);
        continue; // an optional package for another platform
      }
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      symlinkSync(join(ROOT, path), join(dir, path));
      linked++;
    }
    assert.ok(linked > 50, `${linked} production packages linked`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has neither tsx nor typescript where crier could find them", () => {
    const req = createRequire(join(dir, "dist/main.js"));
    for (const dev of ["tsx", "typescript", "tsx/esm/api"])
      assert.throws(() => req.resolve(dev), { code: "MODULE_NOT_FOUND" }, `${dev} resolves from ${dir}`);
  });

  it("node dist/main.js --help lists the commands", () => {
    const r = run("dist/main.js", ["--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: crier /m);
    assert.match(r.stdout, /check-config/);
  });

  it("node dist/main.js check-config config/example.yaml says ok", () => {
    const r = run("dist/main.js", ["check-config", "config/example.yaml"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ok\b/m);
  });

  it("bin/crier.js runs the build there (no src/, no tsx), and says in one line what to do without one", () => {
    const r = run("bin/crier.js", ["--version"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    assert.equal(r.stderr, "");
    const moved = join(dir, "dist-away");
    renameSync(join(dir, "dist"), moved);
    try {
      const none = run("bin/crier.js", ["--help"]);
      assert.equal(none.status, 1);
      assert.equal(none.stderr, "crier: no compiled build in dist/ — run `npm run build`\n");
      const sources = spawnSync(process.execPath, ["--preserve-symlinks", "bin/crier.js", "--help"], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH, CRIER_RUN_SOURCES: "1" },
      });
      assert.equal(sources.status, 1);
      assert.match(sources.stderr, /^crier: CRIER_RUN_SOURCES=1 needs tsx/);
    } finally {
      renameSync(moved, join(dir, "dist"));
    }
  });
});
