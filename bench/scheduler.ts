/** 100,000 stored reminders: how long crier takes to start on them and fire the next one, and the memory it uses. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { consoleApp } from "./_console-app.js";
import { parseConfig } from "../src/config/load.js";

export async function run(): Promise<Record<string, number>> {
  const N = Number(process.env.BENCH_REMINDERS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "crier-bench-sched-"));
  // Real time: the first reminder is due a little after the restart below, the rest one a millisecond apart.
  const T0 = Date.now() + 15_000;
  const config = parseConfig(stringify({ accounts: { console: { rooms: ["a"] } } }), {});
  const make = async () => {
    const { app, consoles } = await consoleApp(config, dir);
    return { app, console: () => consoles.get("console")! };
  };
  const first = await make();
  const t0 = performance.now();
  await first.app.ctx.store.tx(async (tx) => {
    for (let i = 0; i < N; i++) {
      const at = T0 + i;
      await tx.run(
        "INSERT INTO schedules (id, kind, spec, offset_ms, text, targets, grace_ms, source, active, next_at, created_at) VALUES (?, 'reminder', ?, 0, ?, ?, 0, 'chat', 1, ?, ?)",
        [
          `reminder:b${i}`,
          JSON.stringify({ kind: "instant", at }),
          `reminder ${i}`,
          JSON.stringify([{ account: "console", room: "a" }]),
          at,
          T0,
        ],
      );
    }
  });
  const storeMs = performance.now() - t0;
  await first.app.stop();
  const rssBefore = process.memoryUsage().rss;
  const t1 = performance.now();
  const second = await make();
  await second.app.start();
  const startMs = performance.now() - t1;
  while (!second.console().sent.length) await new Promise((r) => setTimeout(r, 1));
  const fireMs = Date.now() - T0;
  const t3 = performance.now();
  while (second.console().sent.length < 1000) await new Promise((r) => setTimeout(r, 1));
  const burstMs = performance.now() - t3;
  const fired = second.console().sent.length;
  const rss = process.memoryUsage().rss;
  await second.app.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    reminders: N,
    msToStoreAll: Math.round(storeMs),
    msToStartWithThemStored: Math.round(startMs),
    msLateForTheFirstDue: fireMs,
    deliveredPerSecondWhenDueBackToBack: Math.round(fired / (burstMs / 1000)),
    rssGrowthMiB: Math.round((rss - rssBefore) / 1048576),
  };
}
