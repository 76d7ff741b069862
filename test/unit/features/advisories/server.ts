/** A local HTTP server for advisory tests: fixtures, ETags, and hostile behaviours (huge, slow, redirecting). */
import { createServer, type Server } from "node:http";

export interface Route {
  body?: string | (() => string);
  status?: number;
  etag?: string;
  headers?: Record<string, string>;
  /** Streams this many bytes of filler (never buffered whole). */
  hugeBytes?: number;
  /** Sends headers and a little, then never finishes. */
  hang?: boolean;
}

export class FixtureServer {
  readonly routes = new Map<string, Route>();
  readonly hits = new Map<string, Array<Record<string, string | string[] | undefined>>>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? "/";
      const list = this.hits.get(path) ?? [];
      list.push(req.headers);
      this.hits.set(path, list);
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      if (route.etag && req.headers["if-none-match"] === route.etag) {
        res.writeHead(304).end();
        return;
      }
      const headers = { ...(route.etag ? { etag: route.etag } : {}), ...route.headers };
      if (route.hugeBytes) {
        res.writeHead(200, headers);
        const chunk = Buffer.alloc(64 * 1024, "a");
        let sent = 0;
        const pump = () => {
          while (sent < route.hugeBytes!) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        res.on("close", () => {
          sent = route.hugeBytes!;
        });
        pump();
        return;
      }
      if (route.hang) {
        res.writeHead(200, headers);
        res.write("<rss>");
        return;
      }
      res
        .writeHead(route.status ?? 200, headers)
        .end(typeof route.body === "function" ? route.body() : (route.body ?? ""));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
