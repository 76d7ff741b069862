/** A MatrixAdapter wired to a test Synapse, with its own SQLite store, collecting what it reports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatrixAdapter } from "../../../src/adapters/matrix/adapter.js";
import { matrixConfigSchema } from "../../../src/adapters/matrix/config.js";
import type { OutgoingMessage } from "../../../src/core/adapter.js";
import { createLogger } from "../../../src/core/log.js";
import type { ChatEvent, MessageEvent } from "../../../src/core/model.js";
import { fromPlain } from "../../../src/core/richtext.js";
import { SystemClock } from "../../../src/services/clock.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import { waitUntil } from "../../testbed/ports.js";

export interface Harness {
  adapter: MatrixAdapter;
  store: SqliteStore;
  events: ChatEvent[];
  messages(): MessageEvent[];
  start(): Promise<void>;
  /** Stops the adapter only (the store stays, as across a crier restart). */
  stop(): Promise<void>;
  /** A new adapter on the same store (crier restarted). */
  restart(): Promise<void>;
  close(): Promise<void>;
  waitEvents(pred: (e: ChatEvent) => boolean, count?: number, ms?: number): Promise<ChatEvent[]>;
}

export async function makeMatrixAdapter(config: Record<string, unknown>, admins: string[] = []): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "crier-matrix-"));
  const store = new SqliteStore(join(dir, "crier.db"));
  const parsed = matrixConfigSchema.parse({ syncTimeoutMs: 1000, ...config });
  const events: ChatEvent[] = [];
  const make = () =>
    new MatrixAdapter("matrix.test", parsed, {
      log: createLogger({ level: process.env.CRIER_TEST_LOG ?? "silent" }),
      store,
      clock: new SystemClock(),
      admins,
      commands: [],
    });
  const h: Harness = {
    adapter: make(),
    store,
    events,
    messages: () => events.filter((e): e is MessageEvent => e.kind === "message"),
    async start() {
      await h.adapter.start((e) => void events.push(e));
      await h.adapter.whenSynced();
    },
    stop: () => h.adapter.stop(),
    async restart() {
      await h.adapter.stop();
      h.adapter = make();
      await h.start();
    },
    async close() {
      await h.adapter.stop().catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async waitEvents(pred, count = 1, ms = 20_000) {
      await waitUntil(`${count} matching event(s) from the adapter`, () => events.filter(pred).length >= count, ms);
      return events.filter(pred);
    },
  };
  return h;
}

let n = 0;
export const relay = (
  room: string,
  text: string,
  sender = "irc_user",
  extra: Partial<OutgoingMessage> = {},
): OutgoingMessage => ({
  room,
  body: fromPlain(text),
  kind: "relay",
  sender: { name: sender, key: `irc.test:${sender}` },
  idempotencyKey: `k${process.pid}-${Date.now()}-${++n}`,
  ...extra,
});
