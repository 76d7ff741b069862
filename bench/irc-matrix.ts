/**
 * IRC → Matrix through real servers (InspIRCd and Synapse, rate limits lifted): one person says messages on IRC at
 * a fixed rate; figures are how many per second reach the Matrix room and how long each took (Synapse's
 * origin_server_ts minus the moment it was said; both clocks are this machine's). Multi-line events count each line.
 * BENCH_IRC_MATRIX_RATES (default "5,50,200") messages/s, each for BENCH_IRC_MATRIX_SECONDS (default 10).
 */
import { MatrixFollower } from "../test/e2e/three/tally.js";
import { CHANNEL, ThreeNetworks } from "../test/e2e/three/testbed.js";

const TOKEN = /(?:^|\s)b(\d+)-(\d+)$/;

export async function run(): Promise<Record<string, unknown>> {
  const rates = (process.env.BENCH_IRC_MATRIX_RATES ?? "5,50,200").split(",").map(Number);
  const seconds = Number(process.env.BENCH_IRC_MATRIX_SECONDS ?? 10);
  const net = new ThreeNetworks({ ircLineIntervalMs: 20 });
  const out: Record<string, unknown> = { seconds };
  try {
    await net.start();
    await net.startApp();
    for (const [round, rate] of rates.entries()) {
      const follower = new MatrixFollower(net.mara, net.room);
      await follower.start();
      const total = rate * seconds;
      const saidAt: number[] = [];
      const t0 = Date.now();
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        saidAt[i] = Date.now();
        net.ivan.say(CHANNEL, `b${round}-${i}`);
      }
      const arrived = new Map<number, number>();
      let events = 0;
      const deadline = Date.now() + 120_000;
      while (arrived.size < total && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const evs = (await follower.poll()).filter((e) => e.sender === net.bot.userId);
        events = evs.length;
        for (const e of evs)
          for (const line of String(e.content.body ?? "").split("\n")) {
            const m = TOKEN.exec(line.trim());
            if (m && Number(m[1]) === round && !arrived.has(Number(m[2])))
              arrived.set(Number(m[2]), (e as unknown as { origin_server_ts: number }).origin_server_ts);
          }
      }
      const lat = [...arrived].map(([i, at]) => at - saidAt[i]).sort((a, b) => a - b);
      const last = Math.max(...arrived.values());
      out[`${rate}/s`] = {
        offered: total,
        delivered: arrived.size,
        matrixEvents: events,
        deliveredPerSecond: Math.round((arrived.size / ((last - t0) / 1000)) * 10) / 10,
        p50ms: lat[Math.floor(lat.length / 2)],
        p95ms: lat[Math.floor(lat.length * 0.95)],
        msAfterLastSaid: last - saidAt[total - 1],
      };
    }
  } finally {
    await net.stop();
  }
  return out;
}
