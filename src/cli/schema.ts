import type { Command } from "commander";
import { configJsonSchema } from "../config/schema.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the config JSON Schema (config/schema.json is generated from this)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
