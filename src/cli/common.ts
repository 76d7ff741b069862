import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";

/** crier's version, from its package.json. */
export function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

export const DEFAULT_CONFIG = "config/example.yaml";

/** Prints a startup failure without a stack trace when it is the user's to fix, and exits non-zero. */
export function fail(err: unknown, code = 1): never {
  if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`${p}\n`);
  } else {
    process.stderr.write(`crier: ${(err as Error).message ?? String(err)}\n`);
  }
  process.exit(code);
}
