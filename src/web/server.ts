/** crier's HTTP server (off by default): health, metrics, the meetings page, calendars and minutes. */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { AppContext } from "../core/context.js";
import { healthJson, healthReport } from "../services/health.js";
import { readPaste } from "../services/pastes.js";
import { type FoldedRuns, foldedPage } from "./folded-page.js";
import { calendarIcs } from "./ics.js";
import { packagedVtimezone } from "./vtimezone.js";
import { indexPage, type MinutesEntry, meetingPage, minutesIndexPage, type ProposalView } from "./pages.js";
import { feedOccurrences, type PickedSource, upcoming } from "./upcoming.js";

/** What the meeting pages show: the meetings feature answers it (its tables are its own). */
export interface MeetingPages extends PickedSource {
  agendaOf(meeting: string): ReadonlyArray<{ text: string; ownerName?: string }>;
  proposal(id: string): Promise<ProposalView | undefined>;
  /** Finished minutes, newest first: of one meeting, or (no id) all. */
  minutes(id?: string): Promise<MinutesEntry[]>;
}

/** Everything the pages show that other parts keep. */
export type WebSources = MeetingPages & FoldedRuns;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, ...SECURITY_HEADERS });
  res.end(body);
}

export async function handle(
  app: AppContext,
  sources: WebSources,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = decodeURIComponent(url.pathname);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "only GET\n");
  if (path === "/healthz") {
    const report = await healthReport(app);
    return send(res, report.ok ? 200 : 503, "application/json", healthJson(report));
  }
  if (path === "/metrics") return send(res, 200, "text/plain; version=0.0.4", await app.metrics.render());
  const host = new URL(app.config.http.publicUrl ?? "http://crier.invalid").host;
  const all = await upcoming(app, sources);
  if (path === "/") return send(res, 200, "text/html; charset=utf-8", indexPage(all, app.config.timezones.world));
  if (path === "/calendar.ics")
    return send(
      res,
      200,
      "text/calendar; charset=utf-8",
      await calendarIcs(
        app,
        "Meetings",
        await feedOccurrences(app, sources),
        host,
        packagedVtimezone,
        sources.agendaOf,
      ),
    );
  if (path === "/minutes/" || path === "/minutes")
    return send(res, 200, "text/html; charset=utf-8", minutesIndexPage(app, await sources.minutes()));
  const m = /^\/meetings\/([\w-]{1,64})(\.ics)?$/.exec(path);
  if (m) {
    const id = m[1];
    const mine = all.filter((o) => o.id === id);
    const proposal = await sources.proposal(id);
    const configured = app.config.meetings.find((x) => x.id === id);
    if (!mine.length && !proposal && !configured) return send(res, 404, "text/plain", "no such meeting\n");
    if (m[2]) {
      const feed = await feedOccurrences(app, sources, id);
      const name = configured?.title ?? proposal?.title ?? id;
      return send(
        res,
        200,
        "text/calendar; charset=utf-8",
        await calendarIcs(app, name, feed, host, packagedVtimezone, sources.agendaOf),
      );
    }
    return send(
      res,
      200,
      "text/html; charset=utf-8",
      meetingPage(app, sources.agendaOf(id), id, mine, app.config.timezones.world, proposal, await sources.minutes(id)),
    );
  }
  for (const adapter of app.adapters.values()) {
    const answer = await adapter.httpAnswer?.(path);
    if (answer) {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
  }
  const paste = /^\/paste\/([0-9a-f]{16})$/.exec(path);
  if (paste) {
    const text = await readPaste(app.store, paste[1]);
    return text === undefined
      ? send(res, 404, "text/plain", "no such text\n")
      : send(res, 200, "text/plain; charset=utf-8", text);
  }
  const folded = /^\/folded\/([0-9a-f]{16})$/.exec(path);
  if (folded) {
    const run = await sources.foldedRun(folded[1]);
    return run
      ? send(res, 200, "text/html; charset=utf-8", foldedPage(run))
      : send(res, 404, "text/plain", "no such messages (kept for relay.retention)\n");
  }
  const file = /^\/minutes\/([\w-]{1,80}\.(html|md))$/.exec(path);
  if (file) {
    try {
      const body = await readFile(join(app.stateDir, "minutes", file[1]), "utf8");
      return send(res, 200, file[2] === "html" ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8", body);
    } catch {
      return send(res, 404, "text/plain", "no such minutes\n");
    }
  }
  send(res, 404, "text/plain", "not found\n");
}

export async function startWeb(app: AppContext, sources: WebSources): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(app, sources, req, res).catch((err) => {
      app.log.error({ err, path: req.url }, "web request failed");
      if (!res.headersSent) send(res, 500, "text/plain", "error\n");
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(app.config.http.port, app.config.http.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  app.log.info({ host: app.config.http.host, port }, "web server listening");
  return { server, port };
}
