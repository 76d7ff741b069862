import type { OutgoingMessage, PlatformModule } from "../../core/adapter.js";
import { IrcAdapter } from "./adapter.js";
import { type IrcConfig, ircConfigSchema } from "./config.js";
import { parseIrc } from "./format.js";
import { renderIrcMessage } from "./render.js";

export const ircPlatform: PlatformModule<IrcConfig> = {
  platform: "irc",
  configSchema: ircConfigSchema,
  create: (account, config, deps) => new IrcAdapter(account, config, deps),
  parse: ({ text }) => parseIrc(text ?? ""),
  render: (msg: OutgoingMessage) =>
    renderIrcMessage(msg, { nick: "crier", replyAs: "notice", formatting: "irc", maxLines: 5 }),
};
