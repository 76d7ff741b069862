/**
 * `npm run bench [-- --json] [-- --only NAME]`: runs every bench/*.ts module (each exports `run()` returning
 * figures) and prints them. Benchmarks are never part of the tests.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes("--json");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const modules = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.startsWith("_"))
  .filter((f) => !only || f === `${only}.ts`)
  .sort();

const results: Record<string, unknown> = {
  node: process.version,
  tz: process.versions.tz,
  cpus: (await import("node:os")).cpus().length,
};
for (const file of modules) {
  const mod = (await import(join(here, file))) as { run(): Promise<Record<string, unknown>> };
  const name = file.replace(/\.ts$/, "");
  if (!json) process.stdout.write(`${name}… `);
  const t0 = performance.now();
  results[name] = await mod.run();
  if (!json)
    process.stdout.write(
      `${((performance.now() - t0) / 1000).toFixed(1)} s\n${JSON.stringify(results[name], null, 2)}\n`,
    );
}
if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
