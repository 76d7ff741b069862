/**
 * The IRC server, Synapse and Discord all go away for a minute while someone on a fourth room of the link (the
 * console) keeps talking. When they come back, every message reaches each of them once, in order. Prints how long
 * each network took to catch up once its server was back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitUntil } from "../testbed/ports.js";
import { ircArrivals, MatrixFollower, parseArrivals } from "./three/tally.js";
import { ThreeNetworks } from "./three/testbed.js";

const OUTAGE_MS = Number(process.env.CRIER_OUTAGE_MS ?? 60_000);
const COUNT = 30;

describe("every network away for a minute", () => {
  // Every message must arrive, so no flood folding here (folding: flood-fold.test.ts).
  const net = new ThreeNetworks({ linkConsole: true, ircHistoryLines: 500, linkOptions: { floodBacklog: "off" } });
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("what is said meanwhile reaches IRC, Matrix and Discord once each, in order, when they are back", async () => {
    const ivanSeen: string[] = [];
    const follower = new MatrixFollower(net.mara, net.room);
    await follower.start();
    await Promise.all([net.irc.kill(), net.synapse.kill(), net.discord.stop()]);
    net.ivan.close();
    const down = Date.now();
    for (let i = 0; i < COUNT; i++) {
      await net.app!.say(`olga-${i}`, { user: "olga" });
      await new Promise((r) => setTimeout(r, Math.max(0, down + ((i + 1) * OUTAGE_MS) / COUNT - Date.now())));
    }
    await Promise.all([net.irc.start(), net.synapse.start(), net.discord.start()]);
    const back = Date.now();
    net.ivan = await net.ircPerson("ivan");
    const push = net.ivan.lines.push.bind(net.ivan.lines);
    ivanSeen.push(...net.ivan.lines);
    net.ivan.lines.push = (...l: string[]) => {
      ivanSeen.push(...l);
      return push(...l);
    };

    const got = {
      IRC: async () => ircArrivals(ivanSeen).map((a) => a.n),
      Matrix: async () =>
        (await follower.poll())
          .filter((e) => e.sender === net.bot.userId)
          .flatMap((e) => parseArrivals(String(e.content.body ?? "")).map((a) => a.n)),
      Discord: async () => net.discordFromCrier().flatMap((m) => parseArrivals(m.content).map((a) => a.n)),
    };
    const caughtUp: Record<string, number> = {};
    await Promise.all(
      Object.entries(got).map(([name, read]) =>
        waitUntil(
          `all ${COUNT} on ${name}`,
          async () => {
            if ((await read()).length < COUNT) return false;
            caughtUp[name] = Date.now() - back;
            return true;
          },
          120_000,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    console.log(
      `outage: ${Math.round((back - down) / 1000)} s down; caught up after ${Object.entries(caughtUp)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(", ")}`,
    );
    const expected = Array.from({ length: COUNT }, (_, i) => i);
    for (const [name, read] of Object.entries(got)) assert.deepEqual(await read(), expected, name);
  });
});
