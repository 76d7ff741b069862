/**
 * End-to-end latency (issue 24, item 1), IRC → Matrix at 5 lines/s and Matrix → IRC at 0.8 lines/s, crier and
 * heisenbridge on the same InspIRCd and Synapse (bench/_rig.ts), with each platform's floor (one client to another,
 * no bridge) in the same run. Matrix → IRC is offered below IRC's own pacing (a server's flood limit of about one
 * line a second for a client), so the figure is the bridge's latency, not a queue behind the IRC server's limit.
 * Per round and direction: floor, crier, heisenbridge, one after another; BENCH_LATENCY_ROUNDS rounds (default 2,
 * quick 1) of BENCH_LATENCY_SECONDS (default 12, quick 6; Matrix → IRC twice as long, for more samples at
 * its slower rate) at BENCH_LATENCY_RATE (default 5) and BENCH_LATENCY_RATE_TO_IRC (default 0.8) lines/s.
 * A line's latency is from the moment the sender's socket (IRC) or request (Matrix) got it to the moment the
 * receiving client's socket (IRC) or /sync long poll (Matrix) delivered it; samples of all rounds are pooled.
 */
import { drained, latencies, paced, percentile } from "./_observe.js";
import { type Figure, figure, missing } from "./_process.js";
import type { Bridge, Path, Rig } from "./_rig.js";

type Direction = "irc→matrix" | "matrix→irc";
const STATS = [
  ["p50", 50],
  ["p95", 95],
  ["p99", 99],
  ["max", 100],
] as const;

const GOALS: Record<Direction, string> = {
  "irc→matrix": "p50 ≤ 0.5× heisenbridge and ≤ Matrix floor + 15 ms",
  "matrix→irc": "p50 ≤ heisenbridge",
};

let round = 1;

async function measure(path: Path, count: number, rate: number): Promise<{ lat: number[]; lost: number }> {
  const r = round++;
  const c = path.collect(r);
  const said = await paced(count, rate, (n) => path.say(r, n));
  await drained(c.arrivals, count, 5_000, 30_000);
  path.done(c);
  return { lat: latencies(said, c.arrivals), lost: count - c.arrivals.size };
}

export async function measureLatency(rig: Rig): Promise<Figure[]> {
  const quick = process.env.BENCH_QUICK === "1";
  const rates: Record<Direction, number> = {
    "irc→matrix": Number(process.env.BENCH_LATENCY_RATE ?? 5),
    "matrix→irc": Number(process.env.BENCH_LATENCY_RATE_TO_IRC ?? 0.8),
  };
  const seconds = Number(process.env.BENCH_LATENCY_SECONDS ?? (quick ? 6 : 12));
  const rounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? (quick ? 1 : 2));
  const counts: Record<Direction, number> = {
    "irc→matrix": Math.round(rates["irc→matrix"] * seconds),
    "matrix→irc": Math.max(1, Math.round(rates["matrix→irc"] * seconds * 2)),
  };
  const figures: Figure[] = [];
  const samples = new Map<string, { lat: number[]; lost: number }>();
  const add = (key: string, m: { lat: number[]; lost: number }) => {
    const s = samples.get(key) ?? { lat: [], lost: 0 };
    s.lat.push(...m.lat);
    s.lost += m.lost;
    samples.set(key, s);
  };
  try {
    for (let i = 0; i < rounds; i++)
      for (const direction of ["irc→matrix", "matrix→irc"] as const) {
        const floor = direction === "irc→matrix" ? "matrix" : "irc";
        const [count, rate] = [counts[direction], rates[direction]];
        add(`floor ${floor}`, await measure(rig.floor(floor), count, rate));
        for (const bridge of ["crier", "crier-as", "heisenbridge"] as const) {
          const path = rig.path(bridge, direction);
          if (path) add(`${bridge} ${direction}`, await measure(path, count, rate));
        }
      }
  } catch (err) {
    figures.push(missing("latency", "ms", `a run failed: ${(err as Error).stack}`));
  }
  const stat = (key: string, p: number) => {
    const s = samples.get(key);
    return s
      ? percentile(
          [...s.lat].sort((a, b) => a - b),
          p,
        )
      : undefined;
  };
  const load = (d: Direction) =>
    `${rounds} rounds of ${counts[d]} lines at ${rates[d]}/s, interleaved floor, crier (bot), crier (application service), heisenbridge`;
  for (const platform of ["irc", "matrix"] as const)
    for (const [name, p] of STATS) {
      const direction: Direction = platform === "irc" ? "matrix→irc" : "irc→matrix";
      figures.push(
        figure(
          `${platform === "irc" ? "IRC" : "Matrix"} floor (client → client) at ${rates[direction]}/s: ${name}`,
          stat(`floor ${platform}`, p),
          "ms",
          { note: load(direction) },
        ),
      );
    }
  for (const direction of ["irc→matrix", "matrix→irc"] as const) {
    const floor = direction === "irc→matrix" ? "floor matrix" : "floor irc";
    const label = direction === "irc→matrix" ? "IRC → Matrix" : "Matrix → IRC";
    const rate = rates[direction];
    const lost = (b: Bridge) => samples.get(`${b} ${direction}`)?.lost;
    // crier as a bot (a /sync long poll) and as an application service (pushed to, as heisenbridge is).
    for (const [crier, mode] of [
      ["crier", ""],
      ["crier-as", ", crier as an application service"],
    ] as const) {
      if (!samples.has(`${crier} ${direction}`)) continue;
      for (const [name, p] of STATS)
        figures.push(
          figure(`${label} at ${rate}/s${mode}: ${name}`, stat(`${crier} ${direction}`, p), "ms", {
            peer: stat(`heisenbridge ${direction}`, p),
            floor: stat(floor, p),
            ...(name === "p50" ? { goal: GOALS[direction] } : {}),
          }),
        );
      figures.push(
        figure(`${label} at ${rate}/s${mode}: lines not delivered`, lost(crier), "lines", {
          peer: lost("heisenbridge"),
          note: load(direction),
        }),
      );
    }
  }
  return figures;
}
