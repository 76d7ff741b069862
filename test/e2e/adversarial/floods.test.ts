/**
 * adversarial.md, "Floods and resource exhaustion", through crier against InspIRCd, Synapse and the fake Discord
 * with the default command budgets (20 per person, 60 per room, a minute): a flood costs crier a bounded number of
 * answers, and everyone else is still served meanwhile.
 *
 * Items about one component are named tests here that call the real component (the config loader, the
 * auto-converter with exactly 10,000 expressions). Proven elsewhere, on the real feed reader against a local
 * server: a 1 GB body, a billion-laughs document, 100,000 items, a slowloris server and redirects to other hosts
 * ("refuses hostile feeds without crashing…"), an item whose id changes on every fetch ("…dedupes a feed whose item
 * ids change on every fetch"), both in test/unit/features/advisories/advisories.test.ts; a cycle of links
 * (test/unit/relay/links.test.ts), duplicate room entries and unknown keys (test/unit/config/config.test.ts);
 * 100,000 stored reminders (test/unit/services/scheduler/downtime.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { parseConfig } from "../../../src/config/load.js";
import { FixtureServer } from "../../unit/features/advisories/server.js";
import { makeTestApp } from "../../helpers/app.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { CHANNEL, IRC, MATRIX } from "../three/testbed.js";
import { HostileNetworks } from "./wire.js";

const feedServer = new FixtureServer();
/** Default command budgets; the feed and the auto-converting room are filled in once their addresses exist. */
const extra: Record<string, unknown> = { commands: { perUserPerMinute: 20, perRoomPerMinute: 60 } };
const net = new HostileNetworks({ extra });

describe("adversarial: floods and resource exhaustion", () => {
  before(async () => {
    await feedServer.start();
    await net.start();
    extra.advisories = {
      sources: [{ id: "shrinking", kind: "rss", url: feedServer.url("/feed"), to: [`${IRC}/${CHANNEL}`] }],
      backlog: "7d",
    };
    extra.timezones = { autoConvert: [`${MATRIX}/${net.room}`] };
    await net.startApp();
  });
  after(async () => {
    await net.stop();
    await feedServer.stop();
  });

  /** crier's answers (not relayed copies) in the Discord channel since `from`. */
  const botAnswers = (from: number) =>
    net.discord.world.messages
      .get(net.channelId)!
      .slice(from)
      .filter((m) => m.author.id === net.discord.world.bot.id && !m.webhook_id);

  it("1,000 commands in a second from one user: one warning, a bounded number of answers, everyone else served", async () => {
    const flooder = new RawIrcClient("flooder", net.irc.port);
    await flooder.connect();
    try {
      // In five bursts: InspIRCd itself cuts a client off ("Excess Flood") after 1,000 unpaced commands.
      const t0 = Date.now();
      for (let burst = 0; burst < 5; burst++) {
        for (let i = 0; i < 200; i++) flooder.say("crier", `!time 15:00 UTC ${burst * 200 + i}`);
        await new Promise((r) => setTimeout(r, 150));
      }
      console.log(`floods: 1,000 commands sent in ${Date.now() - t0} ms`);
      // Meanwhile someone else, elsewhere, is answered at once.
      const asked = Date.now();
      await net.mara.sendText(net.room, "!ping");
      await net.mara.waitFor(net.room, (e) => e.sender === net.bot.userId && e.content.body === "pong", 1, 10_000);
      console.log(`floods: !ping answered ${Date.now() - asked} ms into a 1,000-command flood`);
      await flooder.waitFor(/slow down/, 20_000);
      await settleIrc(flooder);
      const answers = flooder.lines.filter((l) => /^(@\S+ )?:crier!\S+ NOTICE flooder :/.test(l));
      assert.equal(answers.filter((l) => l.includes("slow down")).length, 1);
      assert.ok(answers.length <= 21, `${answers.length} answers`);
      assert.equal(net.app!.app.ctx.adapters.get(IRC)!.state(), "connected");
    } finally {
      flooder.close();
    }
  });

  it("100 users each asking for a reminder every minute: the room's budget bounds the answers, one warning for the room", async () => {
    const from = net.discord.world.messages.get(net.channelId)!.length;
    const users = Array.from({ length: 100 }, (_, i) => net.discord.world.addUser(`asker${i}`));
    for (const [i, u] of users.entries()) net.discord.post(net.channelId, u, `!remind here in 1 minute flood ${i}`);
    await waitUntil(
      "answers to the crowd",
      () => botAnswers(from).some((m) => m.content.includes("slow down")),
      30_000,
    );
    await settleDiscord(from);
    const answers = botAnswers(from).map((m) => m.content);
    const accepted = answers.filter((a) => a.startsWith("ok,")).length;
    assert.ok(accepted <= 60, `${accepted} accepted`);
    assert.equal(answers.filter((a) => a.includes("slow down")).length, 1, answers.join("\n"));
    const scheduler = net.app!.app.features.schedules.scheduler;
    const stored = (await scheduler.list({ kind: "reminder" })).filter((s) => s.text.startsWith("flood "));
    assert.equal(stored.length, accepted, "exactly the answered reminders are stored");
    net.ivan.say(CHANNEL, "!ping");
    await net.ivan.waitFor(/NOTICE #devel :pong/, 10_000);
  });

  it('a reminder for the year 9999 or for 1970, or "every 1 second", is refused with a reason', async () => {
    for (const [input, reason] of [
      ["!remind me 9999-12-31 10:00 UTC far", /at most five years ahead/],
      ["!remind me 1970-01-01 00:00 UTC early", /in the past|1970/],
      ["!remind me every 1 second spam", /repeat at most daily/],
    ] as const) {
      const sent = await net.mod.sendText(net.room, input);
      await waitUntil(`an answer to ${input}`, async () => {
        const all = await net.mod.messages(net.room, 30);
        const after = all.slice(all.findIndex((e) => e.event_id === sent) + 1);
        return after.some((e) => e.sender === net.bot.userId && reason.test(String(e.content.body)));
      });
    }
  });

  it("a cron expression that never fires is a config error, not a silent schedule", () => {
    const config = {
      accounts: { console: { user: "op", rooms: ["a"] } },
      schedules: [{ id: "never", cron: "0 0 31 2 *", zone: "UTC", text: "never", to: ["console/a"] }],
    };
    assert.throws(() => parseConfig(stringify(config), {}), /never fires/);
  });

  it("a message with 10,000 time expressions for the auto-converter costs one conversion", async () => {
    // On the wire: as many as a Matrix event holds, in a room that opted in.
    const from = (await net.matrixFromCrier()).length;
    await net.mara.sendText(net.room, "9:00 UTC ".repeat(6_500));
    await net.mara.sendText(net.room, "and 10:00 UTC too");
    await net.waitDiscord((m) => m.content === "and 10:00 UTC too", 30_000);
    await net.mara.sendText(net.room, "!ping");
    await net.waitMatrix((e) => e.content.body === "pong");
    const conversions = (await net.matrixFromCrier()).slice(from).filter((e) => String(e.content.body).includes("→"));
    assert.equal(conversions.length, 1);
    // In the component: exactly 10,000 of them in one message.
    const t = await makeTestApp({ timezones: { autoConvert: ["console/console"] } });
    try {
      const t0 = Date.now();
      await t.say("meet at 9:00 UTC ".repeat(10_000));
      await t.say("and at 10:00 UTC");
      const took = Date.now() - t0;
      await t.expectSent(/→/);
      assert.equal(t.console.sent.filter((s) => s.text.includes("→")).length, 1);
      assert.ok(took < 2_000, `${took} ms`);
    } finally {
      await t.close();
    }
  });

  it("a 10 MB string in the config is refused at once", () => {
    const t0 = Date.now();
    const config = { accounts: { console: { user: "x".repeat(10 * 1024 * 1024), rooms: ["a"] } } };
    assert.throws(() => parseConfig(stringify(config), {}), /larger than/);
    assert.ok(Date.now() - t0 < 5_000);
  });

  it("a feed that shrinks and grows back posts each advisory once", async () => {
    const feed = readFileSync(join("test/fixtures/advisories", "kamailio-rss.xml"), "utf8").replaceAll(
      "{{RECENT}}",
      new Date(Date.now() - 3_600_000).toUTCString(),
    );
    const watcher = net.app!.app.features.advisories.watcher;
    feedServer.routes.set("/feed", { body: feed });
    assert.equal(await watcher.pollNow("shrinking"), 2);
    feedServer.routes.set("/feed", { body: feed.replace(/<item>[\s\S]*<\/item>/, "") });
    assert.equal(await watcher.pollNow("shrinking"), 0);
    feedServer.routes.set("/feed", { body: feed });
    assert.equal(await watcher.pollNow("shrinking"), 0);
    await waitUntil("the two notices on IRC", () => advisories().length >= 2, 15_000);
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(advisories().length, 2);
  });
});

const advisories = () => net.ivan.lines.filter((l) => / NOTICE #devel :\x02?Security advisory/.test(l));

/** Waits until a client has seen nothing new from crier for a second. */
async function settleIrc(who: RawIrcClient): Promise<void> {
  let last = -1;
  await waitUntil(
    "IRC quiet",
    async () => {
      const n = who.lines.length;
      const quiet = n === last;
      last = n;
      await new Promise((r) => setTimeout(r, 1_000));
      return quiet;
    },
    60_000,
  );
}

async function settleDiscord(from: number): Promise<void> {
  let last = -1;
  await waitUntil(
    "Discord quiet",
    async () => {
      const n = net.discord.world.messages.get(net.channelId)!.length - from;
      const quiet = n === last;
      last = n;
      await new Promise((r) => setTimeout(r, 1_000));
      return quiet;
    },
    60_000,
  );
}
