/**
 * `!time` in process (issue 24 item 5): how long crier takes from a `!time …` line to its answer (a console
 * account, SQLite store, the whole command path: dispatch, parse, convert, deliver through the outbox), and how
 * many conversions per second the conversion itself does (parseWhen + the zones line, the work of one answer).
 * BENCH_TIME_QUERIES (default 200, quick 50) answers, one at a time; conversions over 2 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { consoleApp } from "./_console-app.js";
import { parseConfig } from "../src/config/load.js";
import { zonesLine } from "../src/services/timezones.js";
import { parseWhen } from "../src/services/when.js";
import { percentile } from "./_observe.js";
import { type Figure, figure } from "./_process.js";

const QUERIES = [
  "2015-02-11 15:00 UTC in Berlin, London, New York",
  "tomorrow 9:30 in Tokyo",
  "3pm Berlin",
  "2026-07-01 3pm PST",
  "next friday 18:00 America/Sao_Paulo",
  "in 2h",
];
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

export async function run(): Promise<{ figures: Figure[] }> {
  const n = Number(process.env.BENCH_TIME_QUERIES ?? (process.env.BENCH_QUICK === "1" ? 50 : 200));
  const dir = mkdtempSync(join(tmpdir(), "crier-bench-time-"));
  const config = parseConfig(stringify({ accounts: { console: { user: "op", rooms: ["a"] } } }), {});
  const { app, consoles } = await consoleApp(config, dir);
  await app.start();
  const console = consoles.get("console")!;
  const lat: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const before = console.sent.length;
      const t0 = performance.now();
      await app.dispatcher.handle({
        kind: "message",
        id: `t${i}`,
        room: { account: "console", room: "a" },
        sender: { account: "console", id: "op", name: "op" },
        body: [{ t: "text", text: `!time ${QUERIES[i % QUERIES.length]}` }],
        at: new Date(),
      });
      while (console.sent.length === before) await new Promise((r) => setImmediate(r));
      lat.push(performance.now() - t0);
    }
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  lat.sort((a, b) => a - b);
  let conversions = 0;
  const now = Date.now();
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    const r = parseWhen(QUERIES[conversions % 4], { zone: "Europe/Berlin", now, forward: false });
    zonesLine(r.instant, ZONES);
    conversions++;
  }
  const perSecond = conversions / ((performance.now() - t0) / 1000);
  const note = `${n} answers, one at a time, console account, SQLite`;
  return {
    figures: [
      figure("!time: line → answer sent, p50", percentile(lat, 50), "ms", note),
      figure("!time: line → answer sent, p95", percentile(lat, 95), "ms", note),
      figure("!time: line → answer sent, max", percentile(lat, 100), "ms", note),
      figure("time conversions (parseWhen + five zones)", perSecond, "/s", "one core, in process"),
    ],
  };
}
