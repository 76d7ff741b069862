/**
 * The Dockerfile (no Docker engine here, so read, not built): the build stage installs with devDependencies,
 * compiles, then prunes them; the runtime stage runs the compiled build, dist/main.js, and holds neither the sources
 * nor tsx. What it copies from the build context exists.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

/** Instructions per stage, continuation lines joined; comments dropped. */
function stages(text: string): string[][] {
  const lines = text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const out: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) out.push([]);
    out.at(-1)?.push(l);
  }
  return out;
}

const [build, runtime, ...more] = stages(readFileSync("Dockerfile", "utf8"));
const runs = (stage: string[]) => stage.filter((l) => l.startsWith("RUN ")).join("\n");
/** `COPY a b dest` → sources a, b (flags such as --from= left out). */
const copied = (l: string) =>
  l
    .split(/\s+/)
    .slice(1, -1)
    .filter((w) => !w.startsWith("--"));

describe("Dockerfile", () => {
  it("has a build stage and a runtime stage", () => {
    assert.ok(build && runtime, "two stages");
    assert.equal(more.length, 0);
    assert.match(build[0], /^FROM \S+ AS build$/i);
  });

  it("builds with devDependencies, compiles, then prunes them", () => {
    const r = runs(build);
    const ci = /npm ci\b[^\n&]*/.exec(r)?.[0] ?? "";
    assert.ok(ci, "npm ci in the build stage");
    assert.doesNotMatch(
      ci,
      /--omit|--production|--only/,
      "the build needs TypeScript: npm ci installs devDependencies",
    );
    const at = (s: string) => r.indexOf(s);
    assert.ok(at("npm run build") > at("npm ci"), "npm run build after npm ci");
    assert.ok(at("npm prune --omit=dev") > at("npm run build"), "npm prune --omit=dev after the build");
    const src = build.findIndex((l) => /^COPY src\b/.test(l));
    const compile = build.findIndex((l) => l.includes("npm run build"));
    assert.ok(src >= 0 && src < compile, "src/ is copied before it is compiled");
  });

  it("runs dist/main.js in the runtime stage, for the daemon and for its health check", () => {
    assert.ok(runtime.includes('ENTRYPOINT ["node", "/app/dist/main.js"]'), runtime.join("\n"));
    const health = runtime.find((l) => l.startsWith("HEALTHCHECK "));
    assert.match(health ?? "", /CMD \["node", "\/app\/dist\/main\.js", "healthcheck"\]$/);
    assert.ok(
      runtime.some((l) => /^COPY --from=build \/app\/dist\s/.test(l)),
      "dist/ comes from the build stage",
    );
    assert.ok(
      runtime.some((l) => /^COPY --from=build \/app\/node_modules\s/.test(l)),
      "the pruned node_modules",
    );
  });

  it("has no sources, no tsx and no bin/crier.js in the runtime stage", () => {
    for (const l of runtime.filter((x) => x.startsWith("COPY "))) {
      for (const from of copied(l)) {
        assert.notEqual(from.replace(/\/$/, ""), "/app", `${l}: copies all of /app, sources included`);
        assert.doesNotMatch(from, /(^|\/)(src|bin|test|tsconfig[^/]*)$/, l);
      }
    }
    assert.doesNotMatch(runtime.join("\n"), /tsx|bin\/crier\.js|--import/);
  });

  it("copies from the build context only paths that exist", () => {
    for (const l of [...build, ...runtime].filter((x) => x.startsWith("COPY ") && !x.includes("--from=")))
      for (const from of copied(l)) assert.ok(existsSync(from), `${l}: ${from} is missing`);
  });
});
