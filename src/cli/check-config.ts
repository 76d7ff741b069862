import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { DEFAULT_CONFIG, fail } from "./common.js";

export function registerCheckConfig(program: Command): void {
  program
    .command("check-config")
    .description("validate a config file: prints ok, or every problem with its key path")
    .argument("[file]", "config file", DEFAULT_CONFIG)
    .option("--no-env", "check the structure without the environment, and list the variables a start needs")
    .action((file: string, opts: { env: boolean }) => {
      try {
        const { warnings, env } = loadConfig(file, opts.env ? process.env : {}, { requireEnv: opts.env });
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        if (opts.env) {
          process.stdout.write("ok\n");
          return;
        }
        const names = [...new Set(env.map((r) => r.name))];
        process.stdout.write(`ok (structure; the environment was not read)\n`);
        if (!names.length) process.stdout.write("a start needs no environment variables\n");
        else {
          process.stdout.write("a start needs these environment variables:\n");
          for (const name of names)
            process.stdout.write(
              `  ${name}  (${env
                .filter((r) => r.name === name)
                .map((r) => r.path)
                .join(", ")})\n`,
            );
        }
      } catch (err) {
        fail(err);
      }
    });
}
