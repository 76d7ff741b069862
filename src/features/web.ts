/** Starts the HTTP server when `http.enabled`; the bound port is in `app.services.get("web")`. */
import type { Server } from "node:http";
import type { Feature } from "../core/context.js";
import { icsMigrations } from "../web/ics-sequence.js";
import { startWeb } from "../web/server.js";

export const webFeature: Feature = {
  name: "web",
  migrations: icsMigrations,
  async start(app) {
    if (!app.config.http.enabled) return;
    app.services.set("web", await startWeb(app));
  },
  async stop(app) {
    const web = app.services.get("web") as { server: Server } | undefined;
    if (!web) return;
    web.server.closeAllConnections();
    await new Promise((r) => web.server.close(r));
  },
};
