/**
 * A small HTTP proxy between Synapse and crier's appservice listener: the registration's `url` names the proxy, so
 * every push of the homeserver passes through it and a test sees each `PUT /_matrix/app/v1/transactions/{txnId}` as
 * it arrives. A test may hold a transaction before it goes on (Synapse has one in flight at a time, so what people
 * say meanwhile comes in the next, as one batch); a hook runs the moment a transaction has been handed whole to
 * crier (before crier can have answered it), another when crier's answer comes and may keep it from Synapse — to
 * SIGKILL crier mid-transaction. When crier is down or dies with a request open, or an answer is kept back, the proxy
 * drops Synapse's connection without an answer, as a dead listener would, so Synapse keeps the transaction and
 * pushes it again.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";

/** One transaction pushed through the proxy. */
export interface Push {
  txnId: string;
  /** The bodies of the m.room.message events in it, in order. */
  bodies: string[];
  /** The status crier answered with; unset while it has not (or never did: down, or killed first). */
  answer?: number;
  /** What Synapse got: crier's answer, or its connection dropped unanswered; unset while open. */
  outcome?: "answered" | "dropped";
}

export class AppserviceProxy {
  readonly pushes: Push[] = [];
  /** The homeserver's pings that crier answered (each start of crier makes one). */
  pingsAnswered = 0;
  /** Asked before a transaction goes on to crier: it goes when the promise given back settles. */
  hold?: (push: Push) => Promise<void> | undefined;
  /** Runs when a transaction was written whole to crier's listener. */
  onForwarded?: (push: Push) => void;
  /** Runs when crier answered a transaction; true keeps the answer from Synapse (its connection is dropped). */
  onAnswer?: (push: Push) => boolean;
  private server?: Server;
  private port = 0;

  /** `upstreamPort`: crier's listener (known only once the testbed picked it). */
  constructor(private readonly upstreamPort: () => number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The pushes of one transaction id, first to last (Synapse sends an unanswered one again under the same id). */
  pushesOf(txnId: string): Push[] {
    return this.pushes.filter((p) => p.txnId === txnId);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const txn = req.method === "PUT" ? /\/transactions\/([^/?]+)/.exec(req.url ?? "") : null;
      const push: Push | undefined = txn ? { txnId: decodeURIComponent(txn[1]), bodies: bodiesOf(body) } : undefined;
      if (push) this.pushes.push(push);
      if (push) await this.hold?.(push);
      const isPing = req.method === "POST" && (req.url ?? "").startsWith("/_matrix/app/v1/ping");
      const drop = () => {
        if (push && !push.outcome) push.outcome = "dropped";
        res.destroy();
      };
      // A fresh connection each time (no keep-alive agent): a killed crier takes exactly its open request with it.
      const up = request({
        host: "127.0.0.1",
        port: this.upstreamPort(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      });
      up.on("response", (answer) => {
        if (push) {
          push.answer = answer.statusCode;
          if (this.onAnswer?.(push)) {
            answer.resume();
            return drop();
          }
          push.outcome = "answered";
        }
        if (isPing && answer.statusCode === 200) this.pingsAnswered++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on("error", drop);
      up.end(body, () => {
        if (push) this.onForwarded?.(push);
      });
    });
  }
}

function bodiesOf(body: Buffer): string[] {
  try {
    const events = (JSON.parse(body.toString("utf8")) as { events?: Array<Record<string, unknown>> }).events ?? [];
    return events
      .filter((e) => e.type === "m.room.message")
      .map((e) => String((e.content as { body?: unknown } | undefined)?.body ?? ""));
  } catch {
    return [];
  }
}
