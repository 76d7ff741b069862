/**
 * Delivery under floods, through real InspIRCd and Synapse (rate limits lifted) and the fake Discord (#23). Asserts
 * correctness only — everything delivered, in order, none twice; who goes first — never timing (`npm run bench`
 * measures speed).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { type LossyProxy, startLossyProxy } from "../../testbed/synapse-proxy.js";
import { waitUntil } from "../../testbed/ports.js";
import { type Arrival, ircArrivals, MatrixFollower, parseArrivals, recordLines } from "../three/tally.js";
import { CHANNEL, IRC, MATRIX, ThreeNetworks } from "../three/testbed.js";

/** In order and none twice: the numbers `who` said, as they arrived, are 0, 1, 2, … (or in `order`, as said). */
function assertInOrderOnce(list: Arrival[], who: string, total: number, where: string, order?: number[]) {
  const ns = list.filter((a) => a.sender === who).map((a) => a.n);
  const seen = new Set<number>();
  const doubled: number[] = [];
  for (const n of ns) {
    if (seen.has(n)) doubled.push(n);
    seen.add(n);
  }
  assert.deepEqual(doubled, [], `${where}: delivered twice`);
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i));
  assert.deepEqual(missing.slice(0, 20), [], `${where}: ${missing.length} missing`);
  const rank = new Map((order ?? ns.toSorted((a, b) => a - b)).map((n, i) => [n, i]));
  const outOfOrder = ns.findIndex((n, i) => i > 0 && rank.get(n)! < rank.get(ns[i - 1])!);
  assert.equal(outOfOrder, -1, `${where}: out of order at ${outOfOrder}`);
}

export type Part = "throughput" | "failing-room" | "burst" | "nicks" | "commands";

/** The delivery acceptance tests, split over two files so each file stays within the runner's time limit. */
export function deliverySuite(parts: Part[]) {
  describe(`delivery at the platforms' speed (real InspIRCd + Synapse): ${parts.join(", ")}`, () => {
    // Every message must arrive, so no flood folding here (folding: test/e2e/flood-fold.test.ts).
    const net = new ThreeNetworks({ linkMembership: true, linkOptions: { floodBacklog: "off" } });
    let proxy: LossyProxy;
    let t: TestApp;
    let opsRoom: string;
    let deadRoom: string;

    before(async () => {
      await net.start();
      proxy = await startLossyProxy(net.synapse.url);
      opsRoom = await net.mara.createRoom({ invite: [net.bot.userId], name: "ops" });
      deadRoom = await net.mara.createRoom({ invite: [net.bot.userId], name: "dead" });
      const cfg = net.config() as {
        accounts: Record<string, Record<string, unknown>>;
        links: Array<Record<string, unknown>>;
      };
      cfg.accounts[MATRIX].homeserver = proxy.url;
      (cfg.accounts[MATRIX].rooms as string[]).push(opsRoom, deadRoom);
      (cfg.accounts[IRC].channels as string[]).push("#ops", "#dead");
      cfg.links.push(
        {
          name: "ops",
          rooms: [
            { account: IRC, room: "#ops" },
            { account: MATRIX, room: opsRoom },
          ],
        },
        {
          name: "dead",
          rooms: [
            { account: IRC, room: "#dead" },
            { account: MATRIX, room: deadRoom },
          ],
        },
      );
      t = await makeTestApp(
        {
          ...cfg,
          accounts: { console: { user: "op", rooms: ["console"] }, ...cfg.accounts },
          adminRooms: ["console/console"],
          delivery: { parkAfterAttempts: 3, parkAfter: "1s" },
        },
        { stateDir: net.stateDir },
      );
      net.app = t;
      await net.waitConnected();
      const irc = t.app.ctx.adapters.get(IRC) as unknown as { joined: Map<string, number> };
      await waitUntil("crier in #ops and #dead", () => irc.joined.has("#ops") && irc.joined.has("#dead"), 60_000);
    });
    after(async () => {
      await net.stop();
      await proxy?.close();
    });

    if (parts.includes("throughput"))
      it("200 messages/s from IRC for 10 s all reach Matrix (and Discord), in order, none twice", async () => {
        const follower = new MatrixFollower(net.mara, net.room);
        await follower.start();
        const total = 2000;
        const t0 = Date.now();
        for (let i = 0; i < total; i++) {
          const wait = t0 + i * 5 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          net.ivan.say(CHANNEL, `ivan-${i}`);
        }
        const onMatrix = async () =>
          (await follower.poll())
            .filter((e) => e.sender === net.bot.userId && e.type === "m.room.message")
            .flatMap((e) => parseArrivals(String(e.content.body ?? "")));
        const onDiscord = () => net.discordFromCrier().flatMap((m) => parseArrivals(m.content));
        const counts = { matrix: 0, discord: 0 };
        await waitUntil(
          "2,000 on Matrix and Discord",
          async () => {
            counts.matrix = new Set((await onMatrix()).map((a) => a.n)).size;
            counts.discord = new Set(onDiscord().map((a) => a.n)).size;
            return counts.matrix >= total && counts.discord >= total;
          },
          240_000,
        ).catch((err: Error) => {
          const closed = net.ivan.lines.find((l) => / ERROR :/.test(l)) ?? "ivan still connected";
          throw new Error(`${err.message} (Matrix has ${counts.matrix}, Discord ${counts.discord}; ${closed})`);
        });
        await new Promise((r) => setTimeout(r, 500));
        const events = (await follower.poll()).filter((e) => e.sender === net.bot.userId).length;
        assertInOrderOnce(await onMatrix(), "ivan", total, "Matrix");
        assertInOrderOnce(onDiscord(), "ivan", total, "Discord");
        console.log(
          `200/s: 2,000 IRC lines arrived on Matrix as ${events} events, on Discord as ${net.discordFromCrier().length} messages`,
        );
      });

    if (parts.includes("failing-room"))
      it("a Matrix room that fails every send is parked and reported once, and never holds back another room", async () => {
        // The room id's local part, however the client escapes the rest of it.
        const local = deadRoom.slice(1, deadRoom.indexOf(":"));
        proxy.failAll("PUT", new RegExp(`/rooms/[^/]*${local}[^/]*/send/`));
        const ops = new MatrixFollower(net.mara, opsRoom);
        await ops.start();
        await net.ivan.join("#dead");
        for (let i = 0; i < 5; i++) net.ivan.say("#dead", `dead-${i}`);
        await net.ivan.join("#ops");
        for (let i = 0; i < 20; i++) net.ivan.say("#ops", `ops-${i}`);
        await waitUntil(
          "20 ops messages on Matrix",
          async () =>
            new Set(
              (await ops.poll())
                .filter((e) => e.sender === net.bot.userId)
                .flatMap((e) => parseArrivals(String(e.content.body ?? "")))
                .map((a) => a.n),
            ).size >= 20,
          60_000,
        );
        const { outbox } = t.app.ctx;
        await waitUntil(
          "the failing room parked",
          async () => (await outbox.roomDepths()).some((r) => r.room === deadRoom && r.parked === 5 && r.pending === 0),
          60_000,
        );
        await t.console.waitFor((s) => s.text.includes(`${deadRoom} kept failing`), 20_000);
        for (let i = 5; i < 8; i++) net.ivan.say("#dead", `dead-${i}`);
        await waitUntil(
          "the later ones parked too",
          async () => (await outbox.roomDepths()).some((r) => r.room === deadRoom && r.parked === 8),
          60_000,
        );
        const told = t.console.sent.filter((s) => s.text.includes(`${deadRoom} kept failing`));
        assert.equal(told.length, 1, "admins told once");
        await t.say("!outbox");
        const shown = await t.expectSent(
          new RegExp(`${MATRIX} ${deadRoom.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 0 pending, 8 parked`),
        );
        assert.ok(shown);
        proxy.failAll("PUT", undefined);
      });

    if (parts.includes("burst"))
      it("1,000 Matrix messages in a burst: a !ping said on IRC is answered ahead of them; all 1,000 reach IRC in order, once", async () => {
        const seen: string[] = [];
        recordLines(seen, net.ivan, false);
        const total = 1000;
        const timeline = new MatrixFollower(net.mara, net.room);
        await timeline.start();
        const sending: Promise<unknown>[] = [];
        for (let i = 0; i < total; i++) {
          sending.push(net.mara.sendText(net.room, `mara-${i}`));
          if (sending.length >= 20) await Promise.all(sending.splice(0));
          if (i === 300)
            await waitUntil("relaying has begun", () => ircArrivals(seen).some((a) => a.sender === "mara"), 60_000);
          if (i === 300) net.ivan.say(CHANNEL, "!ping");
        }
        await Promise.all(sending);
        await waitUntil(
          "1,000 on IRC",
          () =>
            new Set(
              ircArrivals(seen)
                .filter((a) => a.sender === "mara")
                .map((a) => a.n),
            ).size >= total,
          300_000,
        );
        // Twenty sends at a time are ordered by Synapse, not by their numbers: IRC must follow the room's order.
        const matrixOrder = (await timeline.poll())
          .filter((e) => e.sender === net.mara.userId && e.type === "m.room.message")
          .flatMap((e) => parseArrivals(String(e.content.body ?? "")))
          .map((a) => a.n);
        assertInOrderOnce(ircArrivals(seen), "mara", total, "IRC", matrixOrder);
        // Relayed lines are PRIVMSGs, crier's answers NOTICEs.
        const said = seen
          .filter((l) => / (PRIVMSG|NOTICE) #devel :/.test(l) && /^(@\S+ )?:crier/.test(l))
          .map((l) => ThreeNetworks.ircText(l.replace(/ NOTICE #devel :/, " PRIVMSG #devel :")));
        const pong = said.findIndex((l) => /\bpong\b/.test(l));
        const last = said.findIndex((l) => /mara-999$/m.test(l));
        assert.ok(pong >= 0, "the ping was answered");
        assert.ok(pong < last, "the answer went ahead of the relayed backlog");
      });

    if (parts.includes("commands"))
      it("500 commands in 10 s from 10 IRC nicks: a Matrix !ping said among them is answered while they still come", async () => {
        const people = await Promise.all(Array.from({ length: 10 }, (_, i) => net.ircPerson(`cmd${i}`)));
        const follower = new MatrixFollower(net.mara, net.room);
        await follower.start();
        const pongs = async () =>
          (await follower.poll()).filter((e) => e.sender === net.bot.userId && /\bpong\b/.test(String(e.content.body)))
            .length;
        let answeredAt = -1;
        for (let i = 0; i < 500; i++) {
          people[i % 10].say(CHANNEL, "!time 15:00 UTC in Tokyo");
          if (i === 100) await net.mara.sendText(net.room, "!ping");
          if (i > 100 && answeredAt < 0 && i % 10 === 0 && (await pongs()) > 0) answeredAt = i;
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(answeredAt > 0, "the Matrix !ping was answered before the 500th command was said");
        // Everyone else is still served once the flood is over.
        const ircPongs = () =>
          net.ivan.lines.filter((l) => /^(@\S+ )?:crier\S* NOTICE #devel :.*\bpong\b/.test(l)).length;
        const before = ircPongs();
        net.ivan.say(CHANNEL, "!ping");
        await waitUntil("crier answering on IRC after the flood", () => ircPongs() > before, 60_000);
        for (const p of people) p.close();
      });

    if (parts.includes("nicks"))
      it("500 nick changes make a handful of Matrix notices, ending with the last nick", async () => {
        const follower = new MatrixFollower(net.mara, net.room);
        await follower.start();
        const mallory = await net.ircPerson("mallory");
        let nick = "mallory";
        // In groups, each confirmed before the next: InspIRCd closes a client that sends 250 NICKs at once.
        for (let i = 0; i < 500; i++) {
          const next = i === 499 ? "mal" : `mlr${i}`;
          mallory.send(`NICK ${next}`);
          nick = next;
          if (i % 20 === 19 || i === 499) await mallory.waitFor(new RegExp(`NICK :?${nick}$`), 60_000);
        }
        const notices = async () =>
          (await follower.poll())
            .filter((e) => e.sender === net.bot.userId && /mallory|mlr|mal\b/.test(String(e.content.body)))
            .map((e) => String(e.content.body));
        await waitUntil(
          "the nick flood summed up",
          async () => (await notices()).some((b) => /now mal$/.test(b)),
          60_000,
        );
        const said = await notices();
        assert.ok(said.length <= 6, `at most a handful, got ${said.length}: ${said.join(" | ")}`);
        assert.ok(said.some((b) => /changed nick \d+ times, now mal$/.test(b)));
        mallory.close();
      });
  });
}
