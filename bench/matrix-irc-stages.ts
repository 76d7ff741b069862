/**
 * Where the time of a line from Matrix to IRC goes, with crier's Matrix account an application service (the
 * `bridges` figure that trails heisenbridge's by a few ms): a Matrix person says BENCH_STAGES_LINES (default 40)
 * lines at 0.8/s into a room linked to IRC, and each line is timed at three points —
 * - homeserver: from the moment the client sent it to the moment Synapse's push carrying it reached crier's
 *   listener (through a proxy that only forwards and times, test/e2e/three/appservice-proxy.ts);
 * - crier: from that push to the IRC adapter being handed the line (the transaction answered, the event
 *   dispatched, relayed, stored in the outbox, claimed by its worker);
 * - IRC: from there to another IRC client receiving it (irc-framework's write, InspIRCd).
 * crier runs in process (the sources), on the test testbed (bench/_rig.ts runs it compiled from outside).
 */
import type { OutgoingMessage } from "../src/core/adapter.js";
import { toPlain } from "../src/core/richtext.js";
import { AppserviceProxy } from "../test/e2e/three/appservice-proxy.js";
import { CHANNEL, IRC, ThreeNetworks } from "../test/e2e/three/testbed.js";
import { Collector, percentile, TimedIrcClient, token } from "./_observe.js";
import { type Figure, figure, sleep } from "./_process.js";

const ROUND = 7;
const TOKEN = /zq(\d+)x(\d+)/g;

/** The line numbers of this round's tokens in a text. */
const numbers = (text: string): number[] =>
  [...text.matchAll(TOKEN)].filter((m) => Number(m[1]) === ROUND).map((m) => Number(m[2]));

export async function run(): Promise<{ figures: Figure[] }> {
  const count = Number(process.env.BENCH_STAGES_LINES ?? 40);
  let net: ThreeNetworks | undefined;
  const proxy = new AppserviceProxy(() => net?.asPort ?? 0);
  await proxy.start();
  net = new ThreeNetworks({ matrixAppservice: true, appserviceUrl: proxy.url, linkOptions: { floodBacklog: "off" } });
  const said: number[] = [];
  const pushed = new Map<number, number>();
  const handed = new Map<number, number>();
  let reader: TimedIrcClient | undefined;
  const onIrc = new Collector(ROUND, CHANNEL, (nick) => nick === "crier");
  const received = onIrc.arrivals;
  try {
    await net.start();
    await net.startApp();
    proxy.onForwarded = (push) => {
      const at = Date.now();
      for (const body of push.bodies) for (const n of numbers(body)) if (!pushed.has(n)) pushed.set(n, at);
    };
    const irc = net.app!.app.ctx.adapters.get(IRC)!;
    const send = irc.send.bind(irc);
    irc.send = (m: OutgoingMessage) => {
      const at = Date.now();
      for (const n of numbers(toPlain(m.body))) if (!handed.has(n)) handed.set(n, at);
      return send(m);
    };
    reader = new TimedIrcClient("reader", net.irc.port);
    await reader.connect();
    await reader.join(CHANNEL);
    reader.collect(onIrc);
    // One line first, so no measured one pays for the room's first contact.
    await net.mara.sendText(net.room, "warm-up");
    await sleep(2_000);
    const t0 = Date.now();
    for (let n = 0; n < count; n++) {
      const wait = t0 + n * 1250 - Date.now();
      if (wait > 0) await sleep(wait);
      said[n] = Date.now();
      void net.mara.sendText(net.room, token(ROUND, n)).catch(() => undefined);
    }
    for (let i = 0; i < 100 && received.size < count; i++) await sleep(100);
  } finally {
    reader?.close();
    await net.stop();
    await proxy.stop();
  }
  const stage = (from: (n: number) => number | undefined, to: (n: number) => number | undefined) =>
    said
      .map((_, n) => {
        const [a, b] = [from(n), to(n)];
        return a === undefined || b === undefined ? undefined : b - a;
      })
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => a - b);
  const stages: [string, number[]][] = [
    [
      "homeserver (sent → push reached crier)",
      stage(
        (n) => said[n],
        (n) => pushed.get(n),
      ),
    ],
    [
      "crier (push → IRC adapter handed the line)",
      stage(
        (n) => pushed.get(n),
        (n) => handed.get(n),
      ),
    ],
    [
      "IRC (handed → another IRC client has it)",
      stage(
        (n) => handed.get(n),
        (n) => received.get(n),
      ),
    ],
    [
      "in all (sent → on IRC)",
      stage(
        (n) => said[n],
        (n) => received.get(n),
      ),
    ],
  ];
  const note = `${count} lines at 0.8/s, Matrix (application service) → IRC, crier in process`;
  return {
    figures: [
      ...stages.flatMap(([name, values]) =>
        (["p50", "p95"] as const).map((p) =>
          figure(`Matrix → IRC stage, ${name}: ${p}`, percentile(values, p === "p50" ? 50 : 95), "ms", { note }),
        ),
      ),
      figure("Matrix → IRC stages: lines on IRC", received.size, "lines", { note }),
    ],
  };
}
