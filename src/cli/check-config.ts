import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { DEFAULT_CONFIG, fail } from "./common.js";

export function registerCheckConfig(program: Command): void {
  program
    .command("check-config")
    .description("validate a config file: prints ok, or every problem with its key path")
    .argument("[file]", "config file", DEFAULT_CONFIG)
    .action((file: string) => {
      try {
        const { warnings } = loadConfig(file);
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write("ok\n");
      } catch (err) {
        fail(err);
      }
    });
}
