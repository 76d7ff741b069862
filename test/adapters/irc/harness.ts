import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IrcAdapter } from "../../../src/adapters/irc/adapter.js";
import { ircConfigSchema } from "../../../src/adapters/irc/config.js";
import type { AdapterDeps, OutgoingMessage } from "../../../src/core/adapter.js";
import { createLogger } from "../../../src/core/log.js";
import type { ChatEvent, MessageEvent } from "../../../src/core/model.js";
import { fromPlain } from "../../../src/core/richtext.js";
import { SystemClock } from "../../../src/services/clock.js";
import { Metrics } from "../../../src/services/metrics.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import type { Store } from "../../../src/store/store.js";
import { waitUntil } from "../../testbed/ports.js";

/** A store for adapters that keep read positions; one per harness unless a test shares one between adapters. */
export function tempStore(): Store {
  return new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-irc-")), "crier.db"));
}

export function makeIrcAdapter(
  port: number,
  channels: string[],
  extra: Record<string, unknown> = {},
  store: Store = tempStore(),
  deps: Partial<AdapterDeps> = {},
) {
  const config = ircConfigSchema.parse({
    host: "127.0.0.1",
    port,
    tls: false,
    nick: "crier",
    channels,
    burst: 5,
    lineIntervalMs: 100,
    regainEverySec: 1,
    ...extra,
  });
  const events: ChatEvent[] = [];
  const adapter = new IrcAdapter("irc.test", config, {
    log: createLogger({ level: process.env.CRIER_TEST_LOG ?? "silent" }),
    store,
    clock: new SystemClock(),
    admins: [],
    commands: [],
    metrics: new Metrics(),
    ...deps,
  });
  return {
    adapter,
    events,
    start: () => adapter.start((e) => void events.push(e)),
    messages: () => events.filter((e): e is MessageEvent => e.kind === "message"),
    waitJoined: (channel: string) =>
      waitUntil(
        `crier in ${channel}`,
        () =>
          adapter.state() === "connected" &&
          (adapter as unknown as { joined: Map<string, number> }).joined.has(channel.toLowerCase()),
      ),
  };
}

let n = 0;
export const relay = (room: string, text: string, sender = "mx_user"): OutgoingMessage => ({
  room,
  body: fromPlain(text),
  kind: "relay",
  sender: { name: sender, key: `matrix.m:${sender}` },
  idempotencyKey: `k${++n}`,
});
