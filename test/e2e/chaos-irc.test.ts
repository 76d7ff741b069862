/**
 * Chaos, bounded in time: two IRC channels linked through a real crier process while people talk on both sides,
 * the IRC server is killed and restarted twice and crier is killed with SIGKILL twice mid-fan-out. Every message
 * must arrive on the other side exactly once and in per-sender order. Prints sent/delivered/lost/doubled.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { type InspIRCd, startInspIRCd } from "../testbed/inspircd.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";

const PER_PHASE = Number(process.env.CRIER_CHAOS_PER_PHASE ?? 25);

interface Person {
  nick: string;
  channel: string;
  client: RawIrcClient;
  /** Every line the person's clients ever saw (across reconnects). */
  seen: string[];
  sent: number;
}

describe("chaos: IRC ⇄ IRC through crier with server restarts and SIGKILL", () => {
  let server: InspIRCd | undefined;
  let crier: ChildProcess | undefined;
  after(async () => {
    crier?.kill("SIGKILL");
    await server?.stop();
  });

  it("delivers every message exactly once, in per-sender order", async () => {
    server = await startInspIRCd({ historyLines: 2000 });
    const dir = mkdtempSync(join(tmpdir(), "crier-chaos-"));
    const cfg = join(dir, "crier.yaml");
    writeFileSync(
      cfg,
      stringify({
        accounts: {
          "irc.chaos": {
            host: "127.0.0.1",
            port: server.port,
            tls: false,
            nick: "crier",
            channels: ["#chaos-a", "#chaos-b"],
            burst: 20,
            lineIntervalMs: 20,
            regainEverySec: 1,
          },
        },
        links: [
          {
            name: "chaos",
            // Every message must arrive, so no flood folding here (folding: flood-fold.test.ts).
            floodBacklog: "off",
            rooms: [
              { account: "irc.chaos", room: "#chaos-a" },
              { account: "irc.chaos", room: "#chaos-b" },
            ],
          },
        ],
        log: { level: "warn" },
      }),
    );
    const startCrier = () => {
      crier = spawn(process.execPath, ["bin/crier.js", "start", "--config", cfg, "--state-dir", join(dir, "state")], {
        stdio: ["ignore", "ignore", "inherit"],
      });
    };
    const killCrier = async () => {
      const c = crier!;
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      await gone;
    };
    const people: Person[] = [
      { nick: "alice", channel: "#chaos-a", client: undefined as unknown as RawIrcClient, seen: [], sent: 0 },
      { nick: "bob", channel: "#chaos-b", client: undefined as unknown as RawIrcClient, seen: [], sent: 0 },
    ];
    const connect = async (p: Person) => {
      p.client = new RawIrcClient(p.nick, server!.port);
      await p.client.connect();
      await p.client.join(p.channel);
      const lines = p.client.lines;
      const origPush = lines.push.bind(lines);
      lines.push = (...items: string[]) => {
        p.seen.push(...items);
        return origPush(...items);
      };
      p.seen.push(...lines);
    };
    const crierInBoth = () =>
      waitUntil(
        "crier in both channels",
        async () => {
          const probe = new RawIrcClient(`probe${Math.floor(Math.random() * 1e6)}`, server!.port, []);
          await probe.connect();
          probe.send("NAMES #chaos-a,#chaos-b");
          await new Promise((r) => setTimeout(r, 150));
          const names = probe.lines.filter((l) => / 353 /.test(l)).join(" ");
          probe.close();
          return (names.match(/[@+ :]crier_?\b/g) ?? []).length >= 2;
        },
        30_000,
      );
    const talk = async (n: number) => {
      for (let i = 0; i < n; i++) {
        for (const p of people) {
          p.client.say(p.channel, `${p.nick}-${p.sent++}`);
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    // What each person saw relayed from the other, de-duplicated by the server's msgid (history replays repeat it).
    const relayed = (p: Person, from: string) => {
      const byMsgid = new Map<string, { n: number; time: string }>();
      for (const l of p.seen) {
        const m = new RegExp(
          `^@(\\S+) :crier_?!\\S+ PRIVMSG ${p.channel} :<\\x03\\d\\d${from[0]}\\u200b${from.slice(1)}\\x03> ${from}-(\\d+)$`,
        ).exec(l);
        if (!m) continue;
        const tags = Object.fromEntries(m[1].split(";").map((kv) => kv.split("=")));
        byMsgid.set(tags.msgid ?? l, { n: Number(m[2]), time: tags.time });
      }
      return [...byMsgid.values()].sort((a, b) => a.time.localeCompare(b.time));
    };
    // An IRC server that dies between accepting a line and echoing it leaves that line's fate unknown (crier then
    // resends: at-least-once), and lines in flight from people die with it; so the server is restarted between
    // bursts, while crier's SIGKILLs land in the middle of fan-outs.
    const restartServer = async () => {
      await waitUntil(
        "quiet before the server restart",
        () =>
          relayed(people[1], "alice").length >= people[0].sent && relayed(people[0], "bob").length >= people[1].sent,
        30_000,
      );
      await server!.kill();
      await server!.start();
      for (const p of people) await connect(p);
    };

    for (const p of people) await connect(p);
    startCrier();
    await crierInBoth();
    await talk(PER_PHASE);
    // crier killed in the middle of a fan-out; people keep talking while it is gone.
    await talk(5);
    await killCrier();
    await talk(PER_PHASE);
    startCrier();
    await crierInBoth();
    await talk(PER_PHASE);
    await restartServer();
    await crierInBoth();
    await talk(PER_PHASE);
    await talk(5);
    await killCrier();
    startCrier();
    await crierInBoth();
    await talk(PER_PHASE);
    await restartServer();
    await crierInBoth();
    await talk(PER_PHASE);

    const total = people.reduce((s, p) => s + p.sent, 0);
    await waitUntil(
      "every message relayed",
      () => relayed(people[1], "alice").length >= people[0].sent && relayed(people[0], "bob").length >= people[1].sent,
      60_000,
    ).catch(() => undefined);

    let delivered = 0;
    let lost = 0;
    let doubled = 0;
    let outOfOrder = 0;
    for (const [to, from] of [
      [people[1], people[0]],
      [people[0], people[1]],
    ] as const) {
      const got = relayed(to, from.nick);
      const counts = new Map<number, number>();
      for (const g of got) counts.set(g.n, (counts.get(g.n) ?? 0) + 1);
      for (let i = 0; i < from.sent; i++) {
        const c = counts.get(i) ?? 0;
        if (c === 0) lost++;
        if (c > 1) doubled += c - 1;
        if (c >= 1) delivered++;
      }
      const order = got.map((g) => g.n);
      for (let i = 1; i < order.length; i++) if (order[i] < order[i - 1]) outOfOrder++;
    }
    console.log(
      `chaos: sent ${total}, delivered ${delivered}, lost ${lost}, doubled ${doubled}, out of order ${outOfOrder} (2 IRC restarts, 2 SIGKILLs)`,
    );
    for (const p of people) p.client.close();
    assert.equal(lost, 0, "lost");
    assert.equal(doubled, 0, "doubled");
    assert.equal(outOfOrder, 0, "out of order");
    assert.equal(delivered, total);
  });
});
