import type { PlatformModule } from "../../core/adapter.js";

// Placeholder until the irc adapter lands: configuring a irc account fails with this message.
export const ircPlatform: PlatformModule = {
  platform: "irc",
  configSchema: undefined,
  create() {
    throw new Error("the irc adapter is not built yet");
  },
  parse() {
    throw new Error("the irc adapter is not built yet");
  },
  render() {
    throw new Error("the irc adapter is not built yet");
  },
};
