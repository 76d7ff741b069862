/**
 * Sustained IRC → Matrix (issue 24 item 2, issue 23's acceptance figures): one IRC person says lines into one
 * bridged room at 10, 50, 100 and 200 lines/s (BENCH_THROUGHPUT_RATES; quick: 50, 200) for BENCH_THROUGHPUT_SECONDS
 * (default 10, quick 5), crier and heisenbridge taking turns at each rate on the same servers (bench/_rig.ts); then
 * crier alone with ten rooms said into round-robin at BENCH_PARALLEL_RATE lines/s each (default 100) against one
 * room at that rate. A line counts when mara's /sync delivers it (a multi-line event counts each line).
 * - delivered/s: lines delivered over the time from the first line said to the last delivered;
 * - after the last said: how long after the last line was said the last one arrived;
 * - latency growth: the p50 of the last second's lines minus that of the first second's.
 */
import { type Arrivals, Collector, drained, latencies, paced, percentile, token } from "./_observe.js";
import { type Figure, figure, missing } from "./_process.js";
import type { Bridge, Path, Rig } from "./_rig.js";

interface Run {
  offered: number;
  delivered: number;
  perSecond?: number;
  p50?: number;
  p95?: number;
  afterLast?: number;
  growth?: number;
}

let round = 1000;

function summarize(said: number[], arrivals: Arrivals, rate: number): Run {
  const lat = latencies(said, arrivals);
  const last = arrivals.size ? Math.max(...arrivals.values()) : undefined;
  const inSecond = (from: number, to: number) =>
    [...arrivals]
      .filter(([n]) => said[n] - said[0] >= from && said[n] - said[0] < to)
      .map(([n, at]) => at - said[n])
      .sort((a, b) => a - b);
  const span = said[said.length - 1] - said[0];
  const first = percentile(inSecond(0, 1000), 50);
  const end = percentile(inSecond(span - 1000 + 1000 / rate, span + 1), 50);
  return {
    offered: said.length,
    delivered: arrivals.size,
    perSecond: last === undefined ? undefined : arrivals.size / ((last - said[0]) / 1000),
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    afterLast: last === undefined ? undefined : last - said[said.length - 1],
    growth: first === undefined || end === undefined ? undefined : end - first,
  };
}

async function measure(path: Path, rate: number, seconds: number): Promise<Run> {
  const r = round++;
  const c = path.collect(r);
  const count = rate * seconds;
  const said = await paced(count, rate, (n) => path.say(r, n));
  await drained(c.arrivals, count, 15_000, 90_000);
  path.done(c);
  return summarize(said, c.arrivals, rate);
}

/** Ten rooms: line n goes into room n mod 10, the aggregate rate ten times one room's. */
function tenRooms(rig: Rig): Path {
  const rooms = rig.crierRooms;
  return {
    say: (r, n) => rig.ivan.say(`#c${n % rooms.length}`, token(r, n)),
    collect: (r) => rig.watcher.collect(new Collector(r, rooms, (s) => s.startsWith("@crier:"))),
    done: (c) => rig.watcher.drop(c),
  };
}

function figuresOf(label: string, mine: Run | undefined, peer: Run | undefined, peerRan: boolean): Figure[] {
  const p = (f: (r: Run) => number | undefined) => (peerRan ? { peer: peer ? f(peer) : undefined } : {});
  return [
    figure(
      `${label}: delivered/s`,
      mine?.perSecond,
      "lines/s",
      p((r) => r.perSecond),
    ),
    figure(
      `${label}: delivered of ${mine?.offered ?? peer?.offered}`,
      mine?.delivered,
      "lines",
      p((r) => r.delivered),
    ),
    figure(
      `${label}: p50 latency`,
      mine?.p50,
      "ms",
      p((r) => r.p50),
    ),
    figure(
      `${label}: p95 latency`,
      mine?.p95,
      "ms",
      p((r) => r.p95),
    ),
    figure(
      `${label}: latency growth (p50 last second − first second)`,
      mine?.growth,
      "ms",
      p((r) => r.growth),
    ),
    figure(
      `${label}: last delivered after the last said`,
      mine?.afterLast,
      "ms",
      p((r) => r.afterLast),
    ),
  ];
}

export async function measureThroughput(rig: Rig): Promise<Figure[]> {
  const quick = process.env.BENCH_QUICK === "1";
  const rates = (process.env.BENCH_THROUGHPUT_RATES ?? (quick ? "50,200" : "10,50,100,200")).split(",").map(Number);
  const seconds = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? (quick ? 5 : 10));
  const parallelRate = Number(process.env.BENCH_PARALLEL_RATE ?? (quick ? 50 : 100));
  const figures: Figure[] = [];
  const runs = new Map<string, Run>();
  try {
    for (const rate of rates)
      for (const bridge of ["crier", "heisenbridge"] as Bridge[]) {
        const path = rig.path(bridge, "irc→matrix");
        if (path) runs.set(`${bridge} ${rate}`, await measure(path, rate, seconds));
      }
    if (!runs.has(`crier ${parallelRate}`))
      runs.set(`crier ${parallelRate}`, await measure(rig.path("crier", "irc→matrix")!, parallelRate, seconds));
    runs.set("crier ten rooms", await measure(tenRooms(rig), parallelRate * 10, seconds));
  } catch (err) {
    figures.push(missing("throughput", "lines/s", `a run failed: ${(err as Error).stack}`));
  }
  const peerRan = !!rig.hbRoom;
  for (const rate of rates)
    figures.push(
      ...figuresOf(
        `IRC → Matrix, one room, ${rate}/s offered for ${seconds} s`,
        runs.get(`crier ${rate}`),
        runs.get(`heisenbridge ${rate}`),
        peerRan,
      ),
    );
  const one = runs.get(`crier ${parallelRate}`);
  const ten = runs.get("crier ten rooms");
  figures.push(...figuresOf(`IRC → Matrix, ten rooms, ${parallelRate}/s each for ${seconds} s`, ten, undefined, false));
  const ratio = ten?.perSecond && one?.perSecond ? ten.perSecond / one.perSecond : undefined;
  figures.push(
    figure(`IRC → Matrix, ten rooms against one (delivered/s at ${parallelRate}/s per room)`, ratio, "×", {
      goal: "≥ 5×",
      note: "default delivery.roomsInParallel (4)",
    }),
  );
  const top = runs.get(`crier ${Math.max(...rates)}`);
  if (Math.max(...rates) === 200 && seconds === 10)
    figures.push(
      figure(
        "IRC → Matrix at 200/s for 10 s: all delivered within 2 s of the last said, p50 < 1 s",
        top?.afterLast,
        "ms",
        {
          met:
            !!top &&
            top.delivered === top.offered &&
            (top.afterLast ?? Number.POSITIVE_INFINITY) <= 2000 &&
            (top.p50 ?? Number.POSITIVE_INFINITY) < 1000,
          goal: "issue 23",
        },
      ),
    );
  return figures;
}
