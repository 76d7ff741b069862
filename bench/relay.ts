/** Relay throughput and memory: messages in one linked room fanned out to two others through the durable outbox. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { consoleApp } from "./_console-app.js";
import { parseConfig } from "../src/config/load.js";
import type { MessageEvent } from "../src/core/model.js";

export async function run(): Promise<Record<string, number>> {
  const N = Number(process.env.BENCH_RELAY_MESSAGES ?? 5000);
  const dir = mkdtempSync(join(tmpdir(), "crier-bench-"));
  const config = parseConfig(
    stringify({
      accounts: { console: { rooms: ["a"] }, "console.b": { rooms: ["b"] }, "console.c": { rooms: ["c"] } },
      links: [
        {
          name: "l",
          rooms: [
            { account: "console", room: "a" },
            { account: "console.b", room: "b" },
            { account: "console.c", room: "c" },
          ],
        },
      ],
    }),
    {},
  );
  const { app, consoles } = await consoleApp(config, dir);
  await app.start();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const e: MessageEvent = {
      kind: "message",
      id: `m${i}`,
      room: { account: "console", room: "a" },
      sender: { account: "console", id: `user${i % 50}`, name: `user${i % 50}` },
      body: [{ t: "text", text: `message number ${i} with some ordinary text in it` }],
      at: new Date(),
    };
    await app.dispatcher.handle(e);
  }
  const accepted = performance.now() - t0;
  const b = consoles.get("console.b")!;
  const c = consoles.get("console.c")!;
  while (b.sent.length < N || c.sent.length < N) await new Promise((r) => setTimeout(r, 5));
  const delivered = performance.now() - t0;
  const mem = process.memoryUsage();
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    messages: N,
    fanOut: 2,
    acceptedPerSecond: Math.round(N / (accepted / 1000)),
    deliveredCopiesPerSecond: Math.round((2 * N) / (delivered / 1000)),
    msEndToEndTotal: Math.round(delivered),
    rssMiB: Math.round(mem.rss / 1048576),
    rssGrowthMiB: Math.round((mem.rss - rssBefore) / 1048576),
    heapUsedMiB: Math.round(mem.heapUsed / 1048576),
  };
}
