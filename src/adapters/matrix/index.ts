import type { PlatformModule } from "../../core/adapter.js";

// Placeholder until the matrix adapter lands: configuring a matrix account fails with this message.
export const matrixPlatform: PlatformModule = {
  platform: "matrix",
  configSchema: undefined,
  create() {
    throw new Error("the matrix adapter is not built yet");
  },
  parse() {
    throw new Error("the matrix adapter is not built yet");
  },
  render() {
    throw new Error("the matrix adapter is not built yet");
  },
};
