/**
 * Failover across all three networks, bounded: two crier processes on one PostgreSQL schema, a real InspIRCd, a
 * real Synapse and the fake Discord, one link, people talking on all three sides and a schedule posting "tick" to
 * the link every 3 s. The active instance is SIGKILLed mid-fan-out (and comes back as a standby); later the new
 * active one is SIGSTOPped for 30 s mid-fan-out and resumed. Each time the standby takes over within 15 s; every
 * message arrives on both other platforms exactly once, in per-sender order; every tick the store records as sent
 * is seen once on each platform; the resumed old leader sends nothing more on IRC (its nick says no more) and
 * stands by. Prints the takeover times and the counts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import pg from "pg";
import type { RawIrcClient } from "../testbed/irc-client.js";
import { freePort, waitUntil } from "../testbed/ports.js";
import { CrierProcesses, type CrierProcess } from "./three/process.js";
import {
  allArrived,
  ircArrivals,
  MatrixFollower,
  missingOf,
  parseArrivals,
  recordLines,
  tallyAll,
} from "./three/tally.js";
import { CHANNEL, DISCORD, IRC, MATRIX, ThreeNetworks } from "./three/testbed.js";
import { PG_URL as URL } from "../testbed/postgres.js";

/** The acceptance bound for a takeover. */
const TAKEOVER_MS = 15_000;
const BURST = 12;

interface Instance extends CrierProcess {
  name: string;
  port: number;
}

describe("failover across IRC, Matrix and Discord: two crier processes on one PostgreSQL", () => {
  const net = new ThreeNetworks({ ircHistoryLines: 2000, linkOptions: { floodBacklog: "off" } });
  const procs = new CrierProcesses(net);
  const schema = `crier_fo3_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: URL });
  after(async () => {
    procs.killAll();
    await net.stop();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  });

  it("takes over within 15 s twice; every message and every tick arrives once; the resumed leader is silent", async () => {
    try {
      await admin.connect();
    } catch (err) {
      throw new Error(
        `PostgreSQL not reachable at ${URL} (${(err as Error).message}) — run: bash scripts/testbed-install.sh`,
      );
    }
    await admin.query(`CREATE SCHEMA ${schema}`);
    await net.start();

    const start = async (name: string): Promise<Instance> => {
      const port = await freePort();
      const base = net.config();
      const accounts = base.accounts as Record<string, Record<string, unknown>>;
      const config = {
        ...base,
        // The nick a paused leader holds stays its own: the one taking over keeps crier_ (attribution on IRC).
        accounts: { ...accounts, [IRC]: { ...accounts[IRC], regainEverySec: 3600 } },
        schedules: [{ id: "tick", cron: "*/3 * * * * *", zone: "UTC", text: "tick", to: ["devel"] }],
        store: { kind: "postgres", url: URL, schema, instance: name },
        http: { enabled: true, host: "127.0.0.1", port },
      };
      return { ...procs.start(config, name), name, port };
    };
    const health = async (i: Instance) =>
      (await (await fetch(`http://127.0.0.1:${i.port}/healthz`, { signal: AbortSignal.timeout(2_000) })).json()) as {
        role: string;
        term: number;
        leader: string | null;
      };
    const roleIs = async (i: Instance, role: string) => (await health(i)).role === role;
    /** The instance relays Matrix → Discord (its first Matrix sync is done): a warm-up line, repeated until it is. */
    const warmUp = async (i: Instance) => {
      for (let attempt = 0; ; attempt++) {
        const warmup = `warm-up ${i.name} ${attempt}`;
        await net.mara.sendText(net.room, warmup);
        try {
          await net.waitDiscord((m) => m.content === warmup, 10_000);
          return;
        } catch (err) {
          if (attempt >= 8) throw err;
        }
      }
    };

    // Everything the IRC person ever saw.
    const ivanSeen: string[] = [];
    const watch = (c: RawIrcClient) => recordLines(ivanSeen, c);
    watch(net.ivan);
    const follower = new MatrixFollower(net.mara, net.room);
    await follower.start();

    const sent = new Map<string, number>([
      ["ivan", 0],
      ["mara", 0],
      ["dora", 0],
    ]);
    const talk = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        for (const p of ["ivan", "mara", "dora"]) {
          const n = sent.get(p)!;
          sent.set(p, n + 1);
          const text = `${p}-${n}`;
          if (p === "ivan") net.ivan.say(CHANNEL, text);
          else if (p === "mara") await net.mara.sendText(net.room, text);
          else net.discord.post(net.channelId, net.dora, text);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const matrixFromCrier = async () =>
      (await follower.poll()).filter((e) => e.sender === net.bot.userId && e.type === "m.room.message");
    const arrivals = async () => ({
      irc: ircArrivals(ivanSeen),
      matrix: (await matrixFromCrier()).flatMap((e) => parseArrivals(String(e.content.body ?? ""))),
      discord: net.discordFromCrier().flatMap((m) => parseArrivals(m.content)),
    });
    const allDelivered = async () => allArrived(await arrivals(), sent);
    const missing = async () => missingOf(await arrivals(), sent, 15);
    const quiet = (what: string) =>
      waitUntil(what, allDelivered, 90_000).catch(async (err) => {
        throw new Error(`${(err as Error).message}: ${await missing()}`);
      });
    /** Messages (PRIVMSG, NOTICE) from exactly this nick, as ivan saw them. */
    const fromNick = (nick: string) =>
      ivanSeen.filter((l) => new RegExp(`^(@\\S+ )?:${nick}!\\S+ (PRIVMSG|NOTICE) `).test(l)).length;

    // A active, then B a standby naming it.
    const a = await start("A");
    await waitUntil("A active", () => roleIs(a, "active"), 90_000);
    await warmUp(a);
    const b = await start("B");
    await waitUntil("B a standby naming A", async () => (await health(b)).leader === "A", 90_000);
    const termA = (await health(a)).term;
    await talk(BURST);
    await quiet("the first burst delivered");

    // 1. SIGKILL A in the middle of a fan-out; people go on talking; B takes over.
    await talk(3);
    let t0 = Date.now();
    a.child.kill("SIGKILL");
    await a.exited;
    await talk(BURST);
    await waitUntil("B active after A was killed", () => roleIs(b, "active"), TAKEOVER_MS);
    const killMs = Date.now() - t0;
    assert.equal((await health(b)).term, termA + 1);
    const a2 = await start("A2");
    await waitUntil("A2 a standby naming B", async () => (await health(a2)).leader === "B", 90_000);
    await talk(BURST);
    await quiet("everything said around the SIGKILL delivered");

    // 2. SIGSTOP B in the middle of a fan-out for 30 s; A2 takes over; B is resumed.
    await talk(3);
    t0 = Date.now();
    b.child.kill("SIGSTOP");
    await talk(BURST);
    await waitUntil("A2 active after B was paused", () => roleIs(a2, "active"), TAKEOVER_MS);
    const stopMs = Date.now() - t0;
    await talk(BURST);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - t0))));
    const fromBAtResume = fromNick("crier");
    b.child.kill("SIGCONT");
    await waitUntil("B, resumed, a standby", () => roleIs(b, "standby"), TAKEOVER_MS);
    await talk(BURST);
    await quiet("everything said around the SIGSTOP delivered");
    const ticksSeen = (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schedule_runs`)).rows[0].n;
    await waitUntil(
      "two more ticks",
      async () =>
        (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schedule_runs`)).rows[0].n >= ticksSeen + 2,
      30_000,
    );
    const fromBAtEnd = fromNick("crier");

    // Clean stops: whatever was queued goes out or stays queued; then count.
    for (const i of [b, a2]) i.child.kill("SIGTERM");
    await Promise.all([b.exited, a2.exited]);
    await new Promise((r) => setTimeout(r, 2_000)); // late doubles would show up now
    const total = [...sent.values()].reduce((x, y) => x + y, 0);
    const counts = tallyAll(await arrivals(), sent, total);

    const tickRows = await admin.query(
      `SELECT account, count(*)::int AS n FROM ${schema}.outbox WHERE key LIKE 'config:tick@%' AND status = 'sent' GROUP BY account`,
    );
    const sentTicks = Object.fromEntries(tickRows.rows.map((r) => [r.account as string, r.n as number]));
    const ircTickIds = new Set(
      ivanSeen
        .filter((l) => /^@\S+ :crier_?!\S+ NOTICE #devel :tick$/.test(l))
        .map((l) => /(?:^@|;)msgid=([^; ]+)/.exec(l)?.[1] ?? l),
    );
    const seenTicks: Record<string, number> = {
      [IRC]: ircTickIds.size,
      [MATRIX]: (await matrixFromCrier()).filter((e) => e.content.body === "tick").length,
      [DISCORD]: net.discordFromCrier().filter((m) => m.content === "tick").length,
    };
    console.log(
      `failover-three: takeover ${killMs} ms after SIGKILL, ${stopMs} ms after SIGSTOP; sent ${total}, ` +
        `delivered ${counts.delivered}/${total * 2}, lost ${counts.lost}, doubled ${counts.doubled}, out of order ` +
        `${counts.outOfOrder}; ticks sent ${JSON.stringify(sentTicks)}, seen ${JSON.stringify(seenTicks)}`,
    );
    if (counts.lost || counts.doubled || counts.outOfOrder)
      console.log(`${counts.notes.slice(0, 20).join("\n")}\n${readFileSync(procs.logFile, "utf8").slice(-6000)}`);
    assert.equal(counts.lost, 0, "lost");
    assert.equal(counts.doubled, 0, "doubled");
    assert.equal(counts.outOfOrder, 0, "out of order");
    assert.equal(counts.delivered, total * 2);
    for (const account of [IRC, MATRIX, DISCORD])
      assert.equal(seenTicks[account], sentTicks[account], `${account}: every sent tick seen once`);
    assert.equal(fromBAtEnd, fromBAtResume, "the resumed old leader said nothing more on IRC");
    assert.match(readFileSync(procs.logFile, "utf8"), /lease lost: this instance stops acting and becomes a standby/);
  });
});
