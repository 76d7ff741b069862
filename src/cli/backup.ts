import type { Command } from "commander";
import { resolveStateDir } from "../app.js";
import { openStore } from "../store/open.js";
import { configOption, fail, readConfig } from "./common.js";

export function registerBackup(program: Command): void {
  program
    .command("backup")
    .description("write a consistent copy of the store (safe while crier runs)")
    .argument("<file>", "where to write the copy")
    .option(...configOption())
    .option("--state-dir <dir>", "state directory")
    .action(async (file: string, opts: { config: string; stateDir?: string }) => {
      try {
        const config = readConfig(opts.config);
        const store = await openStore(config, resolveStateDir(opts.stateDir, config));
        await store.backup(file);
        await store.close();
        process.stdout.write(`backup written to ${file}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
