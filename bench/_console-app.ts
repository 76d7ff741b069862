/** crier in this process with console accounts only (SQLite in `stateDir`): the in-process benchmarks' subject. */
import { ConsoleAdapter } from "../src/adapters/console/adapter.js";
import { App } from "../src/app.js";
import type { Config } from "../src/config/schema.js";
import { createLogger } from "../src/core/log.js";

export async function consoleApp(
  config: Config,
  stateDir: string,
): Promise<{ app: App; consoles: Map<string, ConsoleAdapter> }> {
  const consoles = new Map<string, ConsoleAdapter>();
  const app = await App.create({
    config,
    log: createLogger({ level: "silent" }),
    stateDir,
    makeAdapter: (account, cfg) => {
      const a = new ConsoleAdapter(account, cfg as never);
      consoles.set(account, a);
      return a;
    },
  });
  return { app, consoles };
}
