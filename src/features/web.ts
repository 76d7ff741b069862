/** Starts the HTTP server when `http.enabled`; `port` is where it listens (tests read it). */
import type { Server } from "node:http";
import { isDeepStrictEqual } from "node:util";
import type { Feature } from "../core/context.js";
import { icsMigrations } from "../web/ics-sequence.js";
import type { FoldedRuns } from "../web/folded-page.js";
import { type MeetingPages, startWeb, type WebSources } from "../web/server.js";

/** Needs the meetings feature (the meeting pages show what it keeps) and the relay (the pages of folded floods). */
export function webFeature(meetings: MeetingPages, relay: FoldedRuns): Feature & { readonly port: number | undefined } {
  const sources: WebSources = {
    picked: (from, until) => meetings.picked(from, until),
    agendaOf: (meeting) => meetings.agendaOf(meeting),
    proposal: (id) => meetings.proposal(id),
    minutes: (id) => meetings.minutes(id),
    foldedRun: (id) => relay.foldedRun(id),
  };
  let web: { server: Server; port: number } | undefined;
  const feature: Feature & { readonly port: number | undefined } = {
    name: "web",
    migrations: icsMigrations,
    // /healthz, /metrics and the read-only pages are served by a standby too.
    standby: true,
    get port() {
      return web?.port;
    },
    async start(app) {
      if (!app.config.http.enabled) return;
      web = await startWeb(app, sources);
    },
    async stop() {
      if (!web) return;
      const { server } = web;
      web = undefined;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    // The server reads the config per request; only a change of `http` itself restarts it.
    async reload(app, previous) {
      if (isDeepStrictEqual(previous.http, app.config.http)) return;
      await feature.stop?.(app);
      await feature.start?.(app);
    },
  };
  return feature;
}
