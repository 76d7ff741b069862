/**
 * crier as an application service, killed with SIGKILL while Synapse is pushing it a transaction. A proxy between
 * Synapse and crier's listener (the registration's url) holds one transaction back while two Matrix people go on
 * talking, so that Synapse's next transaction carries a batch of their messages, and crier dies on that one:
 *  1. the moment it has been handed whole to crier, before crier can answer it (crier never answers it);
 *  2. the moment crier answered it, the answer kept from Synapse (crier took it, Synapse does not know).
 * The people go on talking while crier is down; crier starts again (its ping makes Synapse push again at once instead
 * of after its back-off, 2 s doubling to 512 s). Every message must reach IRC and Discord exactly once, in order.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { waitUntil } from "../testbed/ports.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { AppserviceProxy, type Push } from "./three/appservice-proxy.js";
import { type CrierProcess, CrierProcesses } from "./three/process.js";
import { type Counts, ircArrivals, parseArrivals, tally } from "./three/tally.js";
import { ThreeNetworks } from "./three/testbed.js";

/** Messages the Matrix people send in each round, half each. */
const PER_ROUND = 30;
/** The first transaction that carries a message from this one of the round on is held (the ones before got through)… */
const HOLD_FROM = 5;
/** …until this many more were sent; the transaction after it, with several of those, is the one crier dies on. */
const HOLD_FOR = 10;

type KillAt = "forwarded" | "answered";

interface Kill {
  at: KillAt;
  /** The transaction held back, and the one crier died on. */
  held?: Push;
  killed?: Push;
  /** Whether crier had answered the killed transaction when the kill came. */
  answeredAtKill?: boolean;
}

describe("appservice: crier SIGKILLed while Synapse pushes a transaction", () => {
  let net: ThreeNetworks;
  const proxy = new AppserviceProxy(() => net.asPort!);
  let procs: CrierProcesses;
  after(async () => {
    procs?.killAll();
    await proxy.stop();
    await net?.stop();
  });

  it("loses and doubles none of the Matrix people's messages on IRC and Discord", async () => {
    await proxy.start();
    net = new ThreeNetworks({
      matrixAppservice: true,
      appserviceUrl: proxy.url,
      // Every message must arrive one by one, so no flood folding here (folding: flood-fold.test.ts).
      linkOptions: { floodBacklog: "off" },
    });
    await net.start();
    procs = new CrierProcesses(net);
    const config = net.config();
    const gateway = net.discord.gateway as unknown as { current?: { socket?: unknown } };
    const startCrier = async (): Promise<CrierProcess> => {
      const pings = proxy.pingsAnswered;
      const p = procs.start(config, "crier");
      await waitUntil(
        "crier up: in the IRC channel, on the Discord gateway, and its ping answered through the proxy",
        async () => proxy.pingsAnswered > pings && !!gateway.current?.socket && (await procs.inChannel("crier_?")),
        60_000,
      );
      return p;
    };

    let crier = await startCrier();
    const warmup = `warm-up ${Date.now()}`;
    await net.mara.sendText(net.room, warmup);
    await net.waitIrc((t) => t.endsWith(warmup), 30_000);
    await net.waitDiscord((m) => m.content === warmup, 30_000);

    const people: Array<[string, MatrixTestUser]> = [
      ["mara", net.mara],
      ["moddy", net.mod],
    ];
    const sent = new Map<string, number>(people.map(([name]) => [name, 0]));

    /** One round: the people talk, a transaction is held, crier dies on the next one at `at`, and starts again. */
    const round = async (at: KillAt): Promise<Kill> => {
      const kill: Kill = { at };
      const armed = new Set<string>();
      const saidWhileHeld = new Set<string>();
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      proxy.hold = (push) => {
        if (kill.held || !push.bodies.some((b) => armed.has(b))) return undefined;
        kill.held = push;
        return released;
      };
      const isTarget = (push: Push) =>
        !kill.killed && push !== kill.held && push.bodies.filter((b) => saidWhileHeld.has(b)).length >= 2;
      const killNow = (push: Push) => {
        kill.killed = push;
        kill.answeredAtKill = push.answer !== undefined;
        crier.child.kill("SIGKILL");
      };
      proxy.onForwarded = (push) => {
        if (at === "forwarded" && isTarget(push)) killNow(push);
      };
      proxy.onAnswer = (push) => {
        if (at !== "answered" || !isTarget(push)) return false;
        killNow(push);
        return true;
      };

      let heldAt = -1;
      for (let i = 0; i < PER_ROUND; i++) {
        const [name, user] = people[i % people.length];
        const n = sent.get(name)!;
        const text = `${name}-${n}`;
        if (i >= HOLD_FROM) armed.add(text);
        if (kill.held && heldAt < 0) heldAt = i;
        if (heldAt >= 0 && !kill.killed) saidWhileHeld.add(text);
        await user.sendText(net.room, text);
        sent.set(name, n + 1);
        if (heldAt >= 0 && i + 1 - heldAt === HOLD_FOR) release();
      }
      release();
      await waitUntil(`crier killed on a transaction (${at})`, () => !!kill.killed, 30_000);
      assert.equal(await crier.exited, null, "crier died of the signal");
      assert.equal(crier.child.signalCode, "SIGKILL");
      await waitUntil("the killed transaction dropped unanswered", () => kill.killed!.outcome === "dropped", 10_000);
      proxy.hold = proxy.onForwarded = proxy.onAnswer = undefined;
      crier = await startCrier();
      return kill;
    };

    const kills = [await round("forwarded"), await round("answered")];
    const end = `end of run ${Date.now()}`;
    await net.mara.sendText(net.room, end);
    // Delivery is ordered per room: once the last line is on IRC and Discord, whatever came before it is too, and a
    // late second copy of an earlier one would have come before it.
    await net.waitIrc((t) => t.endsWith(end), 90_000);
    await net.waitDiscord((m) => m.content === end, 90_000);

    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    const counts: Counts = { sent: total, delivered: 0, lost: 0, doubled: 0, outOfOrder: 0, notes: [] };
    tally("IRC", ircArrivals(net.ivan.lines), sent, counts);
    tally(
      "Discord",
      net.discordFromCrier().flatMap((m) => parseArrivals(m.content)),
      sent,
      counts,
    );
    const described = kills.map(
      (k) =>
        `${k.at}: transaction ${k.killed!.txnId} (${k.killed!.bodies.length} messages, ${k.killed!.bodies[0]}…` +
        `${k.killed!.bodies.at(-1)}; held before it: ${k.held!.txnId}), pushed ${proxy.pushesOf(k.killed!.txnId).length} times`,
    );
    console.log(
      `appservice-kill: sent ${total}, copies expected ${total * 2}, delivered ${counts.delivered}, lost ${counts.lost}, ` +
        `doubled ${counts.doubled}, out of order ${counts.outOfOrder}; killed on ${described.join("; ")}; ` +
        `${proxy.pushes.length} pushes in all`,
    );
    if (counts.notes.length) console.log(counts.notes.slice(0, 20).join("\n"));

    for (const k of kills) {
      assert.ok(k.killed!.bodies.length >= 2, `${k.at}: the killed transaction carried a batch of messages`);
      assert.equal(k.held!.outcome, "answered", `${k.at}: the held transaction went on and was answered`);
      assert.equal(k.killed!.outcome, "dropped", `${k.at}: Synapse got no answer to the killed transaction`);
      // Synapse pushed the same transaction again (same id, same events) and the restarted crier answered it.
      const again = proxy.pushesOf(k.killed!.txnId).filter((p) => p !== k.killed);
      assert.ok(
        again.some((p) => p.outcome === "answered" && p.answer === 200 && p.bodies.join() === k.killed!.bodies.join()),
        `${k.at}: transaction ${k.killed!.txnId} pushed again and answered: ${JSON.stringify(again)}`,
      );
    }
    // 1: crier had the whole transaction and had not answered it when it died, and never did.
    assert.equal(kills[0].answeredAtKill, false, "forwarded: crier had not answered at the kill");
    assert.equal(kills[0].killed!.answer, undefined, "forwarded: crier never answered");
    // 2: crier had taken it and answered 200 when it died; only Synapse did not hear so.
    assert.equal(kills[1].answeredAtKill, true);
    assert.equal(kills[1].killed!.answer, 200, "answered: crier had taken the transaction");

    assert.equal(total, 2 * PER_ROUND);
    assert.equal(counts.lost, 0, "lost");
    assert.equal(counts.doubled, 0, "doubled");
    assert.equal(counts.outOfOrder, 0, "out of order");
    assert.equal(counts.delivered, total * 2);
  });
});
