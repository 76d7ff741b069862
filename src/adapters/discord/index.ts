import type { PlatformModule } from "../../core/adapter.js";

// Placeholder until the discord adapter lands: configuring a discord account fails with this message.
export const discordPlatform: PlatformModule = {
  platform: "discord",
  configSchema: undefined,
  create() {
    throw new Error("the discord adapter is not built yet");
  },
  parse() {
    throw new Error("the discord adapter is not built yet");
  },
  render() {
    throw new Error("the discord adapter is not built yet");
  },
};
