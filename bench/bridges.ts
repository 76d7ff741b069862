/**
 * crier beside heisenbridge on one InspIRCd and one Synapse (bench/_rig.ts, set up once): end-to-end latency at
 * 5/s with the platforms' floors (bench/_latency.ts), then sustained IRC → Matrix throughput and ten rooms in
 * parallel (bench/_throughput.ts). BENCH_BRIDGES (default "latency,throughput") picks the parts.
 */
import { measureLatency } from "./_latency.js";
import { type Figure, figure, missing } from "./_process.js";
import { Rig } from "./_rig.js";
import { measureThroughput } from "./_throughput.js";

export async function run(): Promise<{ figures: Figure[] }> {
  const parts = (process.env.BENCH_BRIDGES ?? "latency,throughput").split(",");
  const rig = new Rig(10);
  const figures: Figure[] = [];
  try {
    const t0 = performance.now();
    await rig.start();
    figures.push(
      figure("bridges: setting up servers, crier and heisenbridge", performance.now() - t0, "ms", {
        note: "InspIRCd, Synapse, crier with 10 links, heisenbridge bridging one channel, a line each way through each",
      }),
    );
    if (parts.includes("latency")) figures.push(...(await measureLatency(rig)));
    if (parts.includes("throughput")) figures.push(...(await measureThroughput(rig)));
  } catch (err) {
    figures.push(missing("bridges", "ms", `the rig failed: ${(err as Error).stack}`));
  } finally {
    await rig.stop();
  }
  return { figures };
}
