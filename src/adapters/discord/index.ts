import type { OutgoingMessage, PlatformModule } from "../../core/adapter.js";
import { DiscordAdapter } from "./adapter.js";
import { type DiscordConfig, discordConfigSchema } from "./config.js";
import { parseDiscord } from "./markdown.js";
import { renderDiscordMessage } from "./render.js";

export const discordPlatform: PlatformModule<DiscordConfig> = {
  platform: "discord",
  configSchema: discordConfigSchema,
  create: (account, config, deps) => new DiscordAdapter(account, config, deps),
  parse: ({ text }) => parseDiscord(text ?? ""),
  render: (msg: OutgoingMessage) => renderDiscordMessage(msg, { webhook: true }),
};
