/**
 * IRC → Matrix with crier's Matrix account an application service, under Synapse's shipped message limit (a burst
 * of 10, then 0.2/s per user — a bot would need about 25 minutes for 300 messages): one IRC person says
 * BENCH_AS_TOTAL (default 300) messages at BENCH_AS_RATE (default 50) per second; figures are how many reached the
 * room from the ghost, how long each took (origin_server_ts minus the moment it was said), and crier's 429 count.
 */
import type { MatrixAdapter } from "../src/adapters/matrix/adapter.js";
import { MatrixFollower } from "../test/e2e/three/tally.js";
import { CHANNEL, MATRIX, ThreeNetworks } from "../test/e2e/three/testbed.js";

const TOKEN = /(?:^|\s)as-(\d+)$/;

export async function run(): Promise<Record<string, unknown>> {
  const total = Number(process.env.BENCH_AS_TOTAL ?? 300);
  const rate = Number(process.env.BENCH_AS_RATE ?? 50);
  const net = new ThreeNetworks({
    ircLineIntervalMs: 20,
    matrixAppservice: true,
    synapseRealistic: { perSecond: 0.2, burst: 10 },
  });
  try {
    await net.start();
    await net.startApp();
    const follower = new MatrixFollower(net.mara, net.room);
    await follower.start();
    const saidAt: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / rate - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      saidAt[i] = Date.now();
      net.ivan.say(CHANNEL, `as-${i}`);
    }
    const arrived = new Map<number, number>();
    let events = 0;
    const deadline = Date.now() + 180_000;
    while (arrived.size < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const evs = (await follower.poll()).filter((e) => net.fromCrier(e.sender) && e.type === "m.room.message");
      events = evs.length;
      for (const e of evs)
        for (const line of String(e.content.body ?? "").split("\n")) {
          const m = TOKEN.exec(line.trim());
          if (m && !arrived.has(Number(m[1])))
            arrived.set(Number(m[1]), (e as unknown as { origin_server_ts: number }).origin_server_ts);
        }
    }
    const lat = [...arrived].map(([i, at]) => at - saidAt[i]).sort((a, b) => a - b);
    const last = Math.max(...arrived.values());
    const adapter = net.app!.app.ctx.adapters.get(MATRIX) as MatrixAdapter;
    return {
      offered: total,
      offeredPerSecond: rate,
      synapseLimit: "burst 10, then 0.2/s",
      delivered: arrived.size,
      matrixEvents: events,
      answersOf429: adapter.rateLimited,
      p50ms: lat[Math.floor(lat.length / 2)],
      p95ms: lat[Math.floor(lat.length * 0.95)],
      msAfterLastSaid: last - saidAt[total - 1],
    };
  } finally {
    await net.stop();
  }
}
