/**
 * The platform registry: adding a platform is one line here plus its folder. Config schemas load eagerly (cheap);
 * the adapter code, with its heavy SDK, only when an account of that platform is configured.
 */
import type { PlatformModule } from "../core/adapter.js";
import type { Migration } from "../store/store.js";
import { consoleConfigSchema } from "./console/config.js";
import { discordConfigSchema } from "./discord/config.js";
import { ircConfigSchema } from "./irc/config.js";
import { ircMigrations } from "./irc/migrations.js";
import { matrixConfigSchema } from "./matrix/config.js";

export interface PlatformEntry {
  // biome-ignore lint/suspicious/noExplicitAny: each platform's zod schema has its own shape.
  configSchema: any;
  /** Changes to data the core stores about this platform's users, run whether or not such an account is configured. */
  migrations?: Migration[];
  load(): Promise<PlatformModule>;
}

export const platforms: Record<string, PlatformEntry> = {
  console: {
    configSchema: consoleConfigSchema,
    load: async () => (await import("./console/index.js")).consolePlatform as PlatformModule,
  },
  irc: {
    configSchema: ircConfigSchema,
    migrations: ircMigrations,
    load: async () => (await import("./irc/index.js")).ircPlatform as PlatformModule,
  },
  matrix: {
    configSchema: matrixConfigSchema,
    load: async () => (await import("./matrix/index.js")).matrixPlatform as PlatformModule,
  },
  discord: {
    configSchema: discordConfigSchema,
    load: async () => (await import("./discord/index.js")).discordPlatform as PlatformModule,
  },
};

/** `irc.libera` → `irc`; `console` → `console`. */
export const platformOf = (account: string): string => account.split(".")[0];
