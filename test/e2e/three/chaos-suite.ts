/**
 * The chaos run of chaos-three.test.ts and chaos-three-appservice.test.ts, bounded in time: messages from IRC,
 * Matrix and Discord through one real crier process while the IRC server is restarted twice, Synapse once, the fake
 * Discord forces a resume and an invalid session, and crier is killed with SIGKILL twice in the middle of a fan-out. Every message must arrive on
 * both other platforms exactly once and in per-sender order. Prints sent/delivered/lost/doubled.
 *
 * The IRC and Synapse restarts happen between bursts: a server that dies takes the lines people had in flight to it
 * with it, which no bridge can relay. crier's SIGKILLs land mid-burst.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { allArrived, ircArrivals, MatrixFollower, missingOf, parseArrivals, recordLines, tallyAll } from "./tally.js";
import { CHANNEL, ThreeNetworks } from "./testbed.js";

/** How big the run is and how crier's Matrix account is set up (a bot, or an application service with ghosts). */
export interface ChaosRun {
  total: number;
  appservice: boolean;
}

/** Registers the chaos test: `total` messages, a third from each platform. */
export function chaosSuite({ total: TOTAL, appservice: APPSERVICE }: ChaosRun): void {
  describe(`chaos: IRC + Matrix + Discord through one crier (Matrix ${APPSERVICE ? "as an application service" : "as a bot"}), with restarts, resumes and SIGKILLs`, () => {
    // Every message must arrive, so no flood folding here (folding: flood-fold.test.ts).
    const net = new ThreeNetworks({
      ircHistoryLines: 2000,
      linkOptions: { floodBacklog: "off" },
      matrixAppservice: APPSERVICE,
    });
    let crier: ChildProcess | undefined;
    const logFile = join(net.stateDir, "crier.log");
    after(async () => {
      crier?.kill("SIGKILL");
      await net.stop();
    });

    it("delivers every message to both other platforms exactly once, in per-sender order", async () => {
      await net.start();
      const cfg = net.configFile();
      const log = openSync(logFile, "a");
      const startCrier = async () => {
        crier = spawn(
          process.execPath,
          ["bin/crier.js", "start", "--config", cfg, "--state-dir", join(net.stateDir, "s")],
          {
            stdio: ["ignore", log, log],
          },
        );
        await waitUntil("crier in the IRC channel and on the Discord gateway", crierUp, 60_000);
      };
      const killCrier = async () => {
        const c = crier!;
        const gone = new Promise((r) => c.once("exit", r));
        c.kill("SIGKILL");
        await gone;
      };
      const crierUp = async () => {
        const probe = await net.ircPerson(`probe${Math.floor(Math.random() * 1e6)}`);
        probe.send(`NAMES ${CHANNEL}`);
        await new Promise((r) => setTimeout(r, 150));
        const names = probe.lines.filter((l) => / 353 /.test(l)).join(" ");
        probe.close();
        const gateway = net.discord.gateway as unknown as { current?: { socket?: unknown } };
        return /[@+ :]crier_?\b/.test(names) && !!gateway.current?.socket;
      };

      // Everything the IRC person ever saw, across reconnects.
      const ivanSeen: string[] = [];
      const watch = (c: RawIrcClient) => recordLines(ivanSeen, c);
      watch(net.ivan);

      const quota = { ivan: Math.ceil(TOTAL / 3), mara: Math.floor(TOTAL / 3), dora: 0 };
      quota.dora = TOTAL - quota.ivan - quota.mara;
      const sent = new Map<string, number>([
        ["ivan", 0],
        ["mara", 0],
        ["dora", 0],
      ]);
      const next = (who: keyof typeof quota) => {
        const n = sent.get(who)!;
        if (n >= quota[who]) return undefined;
        sent.set(who, n + 1);
        return `${who}-${n}`;
      };
      const talk = async (rounds: number, who: Array<keyof typeof quota> = ["ivan", "mara", "dora"]) => {
        for (let i = 0; i < rounds; i++) {
          for (const p of who) {
            const text = next(p);
            if (!text) continue;
            if (p === "ivan") net.ivan.say(CHANNEL, text);
            else if (p === "mara") await net.mara.sendText(net.room, text);
            else net.discord.post(net.channelId, net.dora, text);
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      };

      const arrivals = async () => {
        const matrix = (await follower.poll())
          .filter((e) => net.fromCrier(e.sender) && e.type === "m.room.message")
          .flatMap((e) => parseArrivals(String(e.content.body ?? "")));
        const discord = net.discordFromCrier().flatMap((m) => parseArrivals(m.content));
        return { irc: ircArrivals(ivanSeen), matrix, discord };
      };
      const allDelivered = async () => allArrived(await arrivals(), sent);
      const missing = async () => missingOf(await arrivals(), sent, 12);
      const quiet = (what = "everything so far delivered") =>
        waitUntil(what, allDelivered, 90_000).catch(async (err) => {
          throw new Error(`${(err as Error).message}: ${await missing()}`);
        });
      const restartIrc = async () => {
        await quiet();
        await net.irc.kill();
        await net.irc.start();
        net.ivan = await net.ircPerson("ivan");
        watch(net.ivan);
        await waitUntil("crier back in the IRC channel", crierUp, 60_000);
      };

      const follower = new MatrixFollower(net.mara, net.room);
      await follower.start();
      const warmup = `warm-up ${Date.now()}`;
      await startCrier();
      await net.mara.sendText(net.room, warmup);
      await net.waitDiscord((m) => m.content === warmup, 30_000);

      const burst = Math.ceil(TOTAL / 3 / 9);
      await talk(burst);
      net.discord.gateway.forceReconnect(); // op 7: discord.js resumes
      await talk(burst);
      await talk(3);
      await killCrier(); // SIGKILL 1, mid fan-out
      await talk(burst); // said while crier is down, on all three
      await startCrier();
      await talk(burst);
      await restartIrc(); // IRC restart 1
      await talk(burst);
      net.discord.gateway.invalidSession(); // op 9: events until discord.js identifies again are lost to it
      await talk(burst);
      await quiet();
      await net.synapse.kill(); // Synapse restart, while IRC and Discord talk on
      await talk(burst, ["ivan", "dora"]);
      await net.synapse.start();
      await talk(burst);
      await talk(3);
      await killCrier(); // SIGKILL 2, mid fan-out
      await startCrier();
      await talk(burst);
      await restartIrc(); // IRC restart 2
      await talk(10_000); // the rest of everyone's quota

      const total = [...sent.values()].reduce((a, b) => a + b, 0);
      await waitUntil("every message delivered", allDelivered, 120_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2000)); // late doubles would show up now
      const counts = tallyAll(await arrivals(), sent, total);
      console.log(
        `chaos-three: sent ${total}, copies expected ${total * 2}, delivered ${counts.delivered}, lost ${counts.lost}, ` +
          `doubled ${counts.doubled}, out of order ${counts.outOfOrder} ` +
          "(2 IRC restarts, 1 Synapse restart, 1 Discord resume, 1 invalid session, 2 SIGKILLs)",
      );
      if (counts.lost || counts.doubled || counts.outOfOrder)
        console.log(
          `${counts.notes.slice(0, 20).join("\n")}\ncrier's log (tail):\n${readFileSync(logFile, "utf8").slice(-4000)}`,
        );
      assert.equal(total, TOTAL);
      assert.equal(counts.lost, 0, "lost");
      assert.equal(counts.doubled, 0, "doubled");
      assert.equal(counts.outOfOrder, 0, "out of order");
      assert.equal(counts.delivered, total * 2);
    });
  });
}
