import type { PlatformModule } from "../../core/adapter.js";
import { fromPlain } from "../../core/richtext.js";
import { ConsoleAdapter, renderConsoleLine } from "./adapter.js";
import { type ConsoleConfig, consoleConfigSchema } from "./config.js";

export const consolePlatform: PlatformModule<ConsoleConfig> = {
  platform: "console",
  configSchema: consoleConfigSchema,
  create: (account, config, deps) =>
    new ConsoleAdapter(account, config, {
      input: process.stdin,
      output: process.stdout,
      store: deps.store,
      clock: deps.clock,
    }),
  parse: ({ text }) => fromPlain(text ?? ""),
  render: (msg) => [renderConsoleLine(msg)],
};
