/**
 * An HTTP proxy in front of Synapse that can lose an answer: the request reaches the homeserver (the event is
 * stored) but the client's connection is cut before the reply, as after a timeout. For exactly-once tests. It can
 * also hold every long-poll /sync unanswered, as a quiet room does for up to the sync timeout (start-up tests).
 */
import { request as httpRequest, type IncomingMessage, type Server, createServer } from "node:http";

export interface LossyProxy {
  url: string;
  /** The next request whose method and path match has its answer dropped. */
  dropNextAnswer(method: string, path: RegExp): void;
  dropped: number;
  /** Every request whose method and path match is answered `status` without reaching the homeserver (until cleared). */
  failAll(method: string, path: RegExp | undefined, status?: number): void;
  failed: number;
  /** While on, every long-poll /sync (one with `since`) waits here unanswered; turning it off lets them through. */
  holdLongPolls(on: boolean): void;
  /** Long-poll /syncs held so far. */
  held: number;
  close(): Promise<void>;
}

export async function startLossyProxy(upstream: string): Promise<LossyProxy> {
  const target = new URL(upstream);
  let rule: { method: string; path: RegExp } | undefined;
  const state = { dropped: 0, failed: 0 };
  let failing: { method: string; path: RegExp; status: number } | undefined;
  let holding = false;
  let heldCount = 0;
  const held: Array<() => void> = [];
  const server: Server = createServer(function serve(req, res) {
    if (holding && req.method === "GET" && /^\/_matrix\/client\/v3\/sync\?(.*&)?since=/.test(req.url ?? "")) {
      heldCount++;
      held.push(() => serve(req, res));
      return;
    }
    if (failing && req.method === failing.method && failing.path.test(req.url ?? "")) {
      state.failed++;
      req.resume();
      res.writeHead(failing.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ errcode: "M_UNKNOWN", error: "injected failure" }));
      return;
    }
    const drop = rule && req.method === rule.method && rule.path.test(req.url ?? "");
    if (drop) rule = undefined;
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        if (drop) {
          answer.resume();
          answer.on("end", () => {
            state.dropped++;
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    dropNextAnswer: (method, path) => {
      rule = { method, path };
    },
    get dropped() {
      return state.dropped;
    },
    failAll: (method, path, status = 502) => {
      failing = path ? { method, path, status } : undefined;
    },
    get failed() {
      return state.failed;
    },
    holdLongPolls: (on) => {
      holding = on;
      if (!on) for (const release of held.splice(0)) release();
    },
    get held() {
      return heldCount;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
