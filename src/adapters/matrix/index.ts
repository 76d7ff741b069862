import type { OutgoingMessage, PlatformModule } from "../../core/adapter.js";
import { fromPlain } from "../../core/richtext.js";
import { MatrixAdapter } from "./adapter.js";
import { type MatrixConfig, matrixConfigSchema } from "./config.js";
import { parseMatrixHtml } from "./html-parse.js";
import { renderMatrixContents } from "./render.js";

export const matrixPlatform: PlatformModule<MatrixConfig> = {
  platform: "matrix",
  configSchema: matrixConfigSchema,
  create: (account, config, deps) => new MatrixAdapter(account, config, deps),
  parse: ({ text, html }) => (html !== undefined ? parseMatrixHtml(html) : fromPlain(text ?? "")),
  render: (msg: OutgoingMessage) =>
    renderMatrixContents(msg, {
      senderTemplate: matrixConfigSchema.parse({ homeserver: "https://x.invalid", accessToken: "x" }).senderTemplate,
    }),
};
