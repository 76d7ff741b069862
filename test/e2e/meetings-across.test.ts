/**
 * Meetings across the three real networks: a proposal made on IRC gets attendance from Matrix and Discord (one
 * person with linked accounts counted once), the pick schedules reminders that go out on all three; a meeting run
 * from all three at once is minuted with everyone's items, #undo works, a non-chair cannot end it, and names that
 * look like markup stay text in the HTML minutes. crier runs on a fake clock started at the real time, so
 * platform timestamps and crier's time agree until the test moves crier's clock to the reminder; the meeting is
 * proposed eight days ahead, so the test reads the same on any day it runs.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DateTime } from "luxon";
import { FakeClock } from "../../src/services/clock.js";
import { waitUntil } from "../testbed/ports.js";
import { CHANNEL, DISCORD, MATRIX, ThreeNetworks } from "./three/testbed.js";

describe("meetings across IRC, Matrix and Discord", () => {
  const net = new ThreeNetworks({
    extra: { admins: ["irc.net:ivan"], timezones: { world: ["UTC", "Europe/Berlin"] } },
  });
  const clock = new FakeClock(Date.now());
  const when = DateTime.utc().plus({ days: 8 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
  /** The option as crier shows it, e.g. "Wed 2 Dec 2026 15:00 UTC". */
  const shownWhen = when.toFormat("ccc d LLL yyyy HH:mm", { locale: "en" }) + " UTC";
  const berlin = when.setZone("Europe/Berlin").toFormat("HH:mm");
  before(async () => {
    await net.start();
    await net.startApp(clock);
  });
  after(() => net.stop());

  /** crier's answers and announcements, as each platform shows them. */
  const onIrc = (re: RegExp) =>
    waitUntil(`IRC to show ${re}`, () => net.ivan.lines.some((l) => / NOTICE #devel :/.test(l) && re.test(l))).catch(
      (err) => {
        const said = net.ivan.lines.filter((l) => /:crier/.test(l)).slice(-8);
        throw new Error(`${(err as Error).message}; crier said on IRC: ${JSON.stringify(said)}`);
      },
    );
  const onMatrix = (re: RegExp) =>
    net
      .waitMatrix((e) => e.content.msgtype === "m.notice" && re.test(String(e.content.body)))
      .catch(async (err) => {
        const said = (await net.matrixFromCrier()).map((e) => String(e.content.body)).slice(-8);
        throw new Error(`${(err as Error).message}; crier said on Matrix: ${JSON.stringify(said)}`);
      });
  const onDiscord = (re: RegExp) =>
    net
      .waitDiscord((m) => m.author.id === net.discord.world.bot.id && re.test(m.content))
      .catch((err) => {
        const said = net
          .discordFromCrier()
          .map((m) => `${m.author.username}: ${m.content}`)
          .slice(-8);
        throw new Error(`${(err as Error).message}; crier said on Discord: ${JSON.stringify(said)}`);
      });

  it("a proposal from IRC gets attendance from Matrix and Discord, counted once per person; the pick's reminder goes out on all three", async () => {
    net.ivan.say(CHANNEL, `!meeting propose "Devel meeting" ${when.toFormat("yyyy-LL-dd")} 15:00 UTC`);
    await onIrc(/proposed/);
    const line = net.ivan.lines.find((l) => / NOTICE #devel :.*proposed/.test(l))!;
    const id = /\[([a-z0-9]{5})\]/.exec(line)?.[1];
    assert.ok(id, line);

    const maraOnDiscord = net.discord.world.addUser("mara_d");
    await net.app!.app.ctx.identity.link(`${MATRIX}:${net.mara.userId}`, `${DISCORD}:${maraOnDiscord.id}`);
    await net.mara.sendText(net.room, `!attend ${id}`);
    await onMatrix(new RegExp(`\\[${id}\\] in #devel \\(irc\\.net\\): 1\\) `));
    net.discord.post(net.channelId, maraOnDiscord, `!attend ${id}`);
    net.discord.post(net.channelId, net.dora, `!attend ${id}`);
    await onDiscord(new RegExp(`${id}\\\\?\\] in #devel \\(irc\\.net\\): 1\\) `));
    await waitUntil(
      "both Discord answers",
      () =>
        net.discordFromCrier().filter((m) => m.author.id === net.discord.world.bot.id && m.content.includes(id))
          .length >= 2,
    );

    // Answers to the attendance on Matrix and Discord reach IRC too (answersEverywhere): read the show's own line.
    net.ivan.say(CHANNEL, `!meeting show ${id}`);
    await onIrc(/"Devel meeting" \[\w+\] in #devel \(irc\.net\): 1\) .* — across the world/);
    const shown = net.ivan.lines.filter((l) => / NOTICE #devel :.* — across the world/.test(l)).join("\n");
    const option = new RegExp(`1\\) ${shownWhen}: (\\d+) — ([^\\n]*)`).exec(shown);
    assert.ok(option, shown);
    assert.equal(option[1], "2", `Mara (Matrix + Discord) counted once, with Dora: ${option[0]}`);
    assert.match(option[2], /dora/);
    assert.match(option[2], /mara/);

    net.ivan.say(CHANNEL, `!meeting pick ${id} 1`);
    await onIrc(new RegExp(`"Devel meeting" is on ${shownWhen}`));
    clock.set(when.minus({ hours: 1 }).toMillis());
    net.app!.app.features.schedules.scheduler.wake();
    const reminder = new RegExp(`Devel meeting starts in 1 hour — 15:00 UTC = ${berlin} Berlin`);
    await onIrc(reminder);
    await onMatrix(reminder);
    // Discord shows the time in each reader's own zone through its timestamp markup.
    const at = when.toSeconds();
    await onDiscord(new RegExp(`^Devel meeting starts <t:${at}:R> — <t:${at}:F>.*15:00 UTC = ${berlin} Berlin`));
  });

  it("minutes taken from all three at once: everyone's items, #undo, chairs only, markup kept as text", async () => {
    const mallory = net.discord.world.addUser("<script>alert(1)</script>");
    net.ivan.say(CHANNEL, "#startmeeting Release meeting");
    await onMatrix(/meeting "Release meeting" started by ivan/);
    net.ivan.say(CHANNEL, "#chair mara dora");
    // Mara's linked Discord account was the last place crier saw her, so she is named by that name until she speaks.
    await onIrc(/chairs: ivan, mara_d, dora/);
    await net.mara.sendText(net.room, "#topic Release 6.0\n#info freeze on Friday");
    await onMatrix(/^topic: Release 6\.0$/);
    net.discord.post(net.channelId, net.dora, "#action ivan prepare the tarball");
    await onDiscord(/action for ivan noted/);
    net.ivan.say(CHANNEL, "#agreed ship on the 15th");
    await onIrc(/agreed: ship on the 15th/);
    net.discord.post(net.channelId, net.dora, "#idea nightly builds");
    net.discord.post(net.channelId, net.dora, "#info a mistake");
    await waitUntil(
      "two acknowledgements",
      () => net.discordFromCrier().filter((m) => /^(idea|info) noted$/.test(m.content)).length >= 2,
    );
    net.discord.post(net.channelId, net.dora, "#undo");
    await onDiscord(/removed info: a mistake/);
    net.ivan.say(CHANNEL, "plain talk from irc");
    await net.mara.sendText(net.room, "plain talk from matrix");
    net.discord.post(net.channelId, mallory, "plain talk from discord");
    await net.waitIrc((t) => t.endsWith("plain talk from discord"));
    net.discord.post(net.channelId, mallory, "#endmeeting");
    await onDiscord(/only the meeting's chairs may do that/);
    await net.mara.sendText(net.room, "#endmeeting");
    const ended = /meeting "Release meeting" ended by mara; minutes: /;
    await onIrc(ended);
    await onMatrix(ended);
    await onDiscord(ended);

    const dir = join(net.stateDir, "minutes");
    const files = readdirSync(dir);
    const md = readFileSync(join(dir, files.find((f) => f.endsWith(".md"))!), "utf8");
    const html = readFileSync(join(dir, files.find((f) => f.endsWith(".html"))!), "utf8");
    assert.match(md, /### Release 6\.0/);
    assert.match(md, /freeze on Friday/);
    assert.match(md, /nightly builds/);
    assert.match(md, /AGREED\*\*: ship on the 15th/);
    assert.ok(!md.split("## Action items")[0].includes("a mistake"), "#undo removed it");
    const actions = md.split("## Action items")[1].split("## People present")[0];
    assert.match(actions, /ivan[\s\S]*prepare the tarball/);
    const people = md.split("## People present")[1].split("## Full log")[0].replace(/\\(.)/g, "$1");
    for (const who of [`ivan (${"irc.net"})`, `mara (${MATRIX})`, `dora (${DISCORD})`])
      assert.ok(people.includes(who), people);
    const log = md.split("## Full log")[1];
    for (const said of ["plain talk from irc", "plain talk from matrix", "plain talk from discord"])
      assert.ok(log.includes(said), said);
    assert.ok(!html.includes("<script>alert(1)</script>"), "a name that looks like markup is text in the HTML");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  });
});
