import { readFileSync } from "node:fs";
import { platformOf } from "../adapters/index.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { ConfigError } from "../core/errors.js";

/** crier's version, from its package.json. */
export function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

export const DEFAULT_CONFIG = "config/example.yaml";

/** The `-c, --config <file>` option of a command that reads the config: $CRIER_CONFIG, else the example. */
export const configOption = (description = "config file") =>
  ["-c, --config <file>", description, process.env.CRIER_CONFIG ?? DEFAULT_CONFIG] as const;

/** The config a command reads: the file given, else $CRIER_CONFIG, else the example; problems throw ConfigError. */
export function readConfig(file?: string): Config {
  return loadConfig(file ?? process.env.CRIER_CONFIG ?? DEFAULT_CONFIG).config;
}

/** The config's accounts of one platform, as [name, settings] in config order. */
export function accountsOf(config: Config, platform: string): Array<[string, unknown]> {
  return Object.entries(config.accounts).filter(([name]) => platformOf(name) === platform);
}

/** Prints a startup failure without a stack trace when it is the user's to fix, and exits non-zero. */
export function fail(err: unknown, code = 1): never {
  if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`${p}\n`);
  } else {
    process.stderr.write(`crier: ${(err as Error).message ?? String(err)}\n`);
  }
  process.exit(code);
}
