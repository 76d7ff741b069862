/**
 * Issue #9 on the real servers (InspIRCd, Synapse, the fake Discord), the parts meetings-across does not reach:
 * accounts linked through the real !link-identity flow (code given in a Discord slash command's private answer,
 * said from Matrix); all three reminders on all three platforms; every kind of minute item from every platform;
 * actions grouped by person across linked accounts; people present with their line counts; chairs by name; the
 * posted minutes link served by crier's web server; markup in a Discord display name and an agenda item kept text.
 * crier runs on a fake clock started at the real time; the meeting is proposed eight days ahead.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DateTime } from "luxon";
import { FakeClock } from "../../src/services/clock.js";
import type { FakeUser } from "../fake-discord/state.js";
import type { RawIrcClient } from "../testbed/irc-client.js";
import { freePort } from "../testbed/ports.js";
import { Answers } from "./three/answers.js";
import { CHANNEL, DISCORD, IRC, MATRIX, ThreeNetworks } from "./three/testbed.js";

const XSS = "<script>alert(1)</script>";

describe("meetings on IRC, Matrix and Discord at once (issue #9)", () => {
  const clock = new FakeClock(Date.now());
  const when = DateTime.utc().plus({ days: 8 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
  let net: ThreeNetworks;
  let say: Answers;
  let web: string;
  let zed: RawIrcClient;
  /** Mara's Discord account, linked to her Matrix one; Mallory's Discord display name is markup. */
  let maraD: FakeUser;
  let mallory: FakeUser;
  let proposal: string;
  /** The HTML minutes of the meeting. */
  let html: string;

  before(async () => {
    const port = await freePort();
    web = `http://127.0.0.1:${port}`;
    net = new ThreeNetworks({
      extra: {
        admins: [`${IRC}:ivan`],
        timezones: { world: ["UTC", "Europe/Berlin"] },
        http: { enabled: true, host: "127.0.0.1", port, publicUrl: web },
      },
    });
    await net.start();
    await net.startApp(clock);
    say = new Answers(net);
    zed = await net.ircPerson("zed");
    maraD = net.discord.world.addUser("mara_d");
    mallory = net.discord.world.addUser("mallory");
    mallory.global_name = XSS;
  });
  after(() => {
    zed?.close();
    return net.stop();
  });

  it("Mara links her Matrix and Discord accounts with !link-identity; the code is only shown to her", async () => {
    const replies = await net.discord.interact(net.channelId, maraD, "link-identity", [{ name: "args", value: "" }]);
    const answer = JSON.stringify(replies);
    const code = /link-identity ([A-Z0-9]{8})/.exec(answer)?.[1];
    assert.ok(code, answer);
    assert.equal((replies[0].data as { flags?: number }).flags, 64, "ephemeral: only Mara's Discord account sees it");
    assert.ok(!net.discord.world.messages.get(net.channelId)!.some((m) => m.content.includes(code)));
    assert.ok(!net.ivan.lines.some((l) => l.includes(code)), "nor is it relayed");
    const linked = await say.matrix(net.mara, `!link-identity ${code}`, /^linked: /);
    assert.equal(
      linked,
      `linked: ${DISCORD}:${maraD.id} and ${MATRIX}:${net.mara.userId} are now one person (zone, reminders and attendance are shared)`,
    );
  });

  it("a proposal from IRC gets attendance from Matrix and Discord, Mara counted once from both accounts; the pick's reminders reach all three", async () => {
    const day = when.toFormat("yyyy-LL-dd");
    const proposed = await say.irc(net.ivan, `!meeting propose "Devel meeting" ${day} 15:00 UTC`, /proposed/);
    proposal = /\[([a-z0-9]{5})\]/.exec(proposed)?.[1] ?? "";
    assert.ok(proposal, proposed);
    const option = `1\\) ${when.toFormat("ccc d LLL yyyy HH:mm")} UTC`;

    await say.matrix(net.mara, `!attend ${proposal}`, new RegExp(`${option}: 1 — mara$`));
    await say.discord(maraD, `!attend ${proposal}`, /: 1 — mara\\?_d$/);
    await say.discord(net.dora, `!attend ${proposal}`, /: 2 — dora, mara\\?_d$/);
    // The show answer, not a late mirrored copy of an !attend answer (which reads the same up to the world line).
    const shown = await say.irc(net.ivan, `!meeting show ${proposal}`, /"Devel meeting".* — across the world/);
    assert.equal(
      shown.split(" — across the world")[0],
      `"Devel meeting" [${proposal}] in #devel (irc.net): ${option.replace(/\\/g, "")}: 2 — dora, mara_d`,
    );
    assert.match(shown, / — across the world \(option 1\): 15:00 UTC · /);

    await say.irc(net.ivan, `!meeting pick ${proposal} 1`, /"Devel meeting" is on /);
    const scheduler = net.app!.app.features.schedules.scheduler;
    const berlin = when.setZone("Europe/Berlin").toFormat("HH:mm");
    const at = when.toSeconds();
    for (const [ahead, countdown] of [
      [{ days: 1 }, "in 1 day"],
      [{ hours: 1 }, "in 1 hour"],
      [{ minutes: 10 }, "in 10 minutes"],
    ] as const) {
      const mark = say.mark();
      clock.set(when.minus(ahead).toMillis());
      scheduler.wake();
      const text = new RegExp(`^Devel meeting starts ${countdown} — 15:00 UTC = ${berlin} Berlin`);
      await say.onIrc(mark, text);
      await say.onMatrix(mark, text);
      // Discord shows the time in each reader's own zone through its timestamp markup.
      await say.onDiscord(mark, new RegExp(`^Devel meeting starts <t:${at}:R> — <t:${at}:F>.*15:00 UTC = ${berlin}`));
    }
  });

  it("a meeting minuted from all three at once: every item kind from every platform, #undo, chairs only, and the minutes' link on all three", async () => {
    // Mallory, whose Discord display name is markup, puts markup on the proposal's agenda as well.
    await say.discord(mallory, `!agenda add ${proposal} ${XSS} (dora)`, new RegExp(`added as item 1 of ${proposal}`));
    let mark = say.mark();
    net.discord.post(net.channelId, net.dora, "#startmeeting Release meeting");
    await say.everywhere(mark, /^meeting "Release meeting" started by dora; minutes are being taken/);
    await say.discord(net.dora, "#chair ivan mara", /^chairs: dora, ivan, mara\\?_d$/);

    await say.irc(net.ivan, "#topic Release 6.0", /^topic: Release 6\.0$/);
    await say.irc(net.ivan, "#info freeze on Friday", /^info noted$/);
    await say.irc(net.ivan, "#action mara write the release notes", /^action for mara noted$/);
    await say.irc(net.ivan, "#agreed ship on the 15th", /^agreed: ship on the 15th$/);
    await say.matrix(net.mara, "#topic Infrastructure", /^topic: Infrastructure$/);
    await say.matrix(net.mara, "#info the new CI runners are up", /^info noted$/);
    await say.matrix(net.mara, "#action ivan renew the certificates", /^action for ivan noted$/);
    await say.matrix(net.mara, "#agreed retire the old runners", /^agreed: retire the old runners$/);
    // Dora takes the next topic from the agenda (Mallory's item), as chairs do.
    await say.discord(net.dora, `#topic ${XSS}`, /^topic: /);
    await say.discord(net.dora, "#info meetup in March", /^info noted$/);
    await say.discord(net.dora, `#action <@${maraD.id}> book the venue`, /^action for mara\\?_d noted$/);
    await say.discord(net.dora, "#agreed hold the meetup", /^agreed: hold the meetup$/);
    await say.discord(net.dora, "#info a mistake", /^info noted$/);
    await say.matrix(net.mara, "#undo", /^removed info: a mistake$/);

    net.ivan.say(CHANNEL, "talk from irc");
    await net.waitMatrix((e) => String(e.content.body).endsWith("talk from irc"));
    await net.mara.sendText(net.room, "talk from matrix");
    await net.waitIrc((t) => t.endsWith("talk from matrix"));
    net.discord.post(net.channelId, net.dora, "talk from discord");
    await net.waitIrc((t) => t.endsWith("talk from discord"));
    net.discord.post(net.channelId, mallory, "talk from mallory");
    await net.waitIrc((t) => t.endsWith("talk from mallory"));

    await say.irc(zed, "#endmeeting", /^only the meeting's chairs may do that$/);
    await say.discord(mallory, "#endmeeting", /^only the meeting's chairs may do that$/);
    // Mara was made chair by her Matrix name; her linked Discord account is the same chair.
    mark = say.mark();
    net.discord.post(net.channelId, maraD, "#endmeeting");
    const ended = new RegExp(
      `^meeting "Release meeting" ended by mara\\\\?_d; minutes: ${web}/minutes/([\\w-]+)\\.html$`,
    );
    const posted = await say.everywhere(mark, ended);
    const stem = ended.exec(posted.irc)![1];
    assert.equal(ended.exec(posted.matrix)![1], stem);

    const dir = join(net.stateDir, "minutes");
    assert.deepEqual(readdirSync(dir).sort(), [`${stem}.html`, `${stem}.md`]);
    const md = readFileSync(join(dir, `${stem}.md`), "utf8");
    html = readFileSync(join(dir, `${stem}.html`), "utf8");
    const served = await fetch(`${web}/minutes/${stem}.html`);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), html, "the posted link serves the minutes");

    const text = md.replace(/\\(.)/g, "$1");
    const part = (from: string, to: string) => text.split(from)[1].split(to)[0];
    assert.match(text, /^# Release meeting\n/);
    assert.match(text, /Chairs: dora, ivan, mara\./, "chairs by name, not by platform id");
    const topic = (title: string) => part(`### ${title}\n`, "###");
    assert.match(topic("Release 6.0"), /INFO\*\*: freeze on Friday — ivan,/);
    assert.match(topic("Release 6.0"), /ACTION\*\*: write the release notes \(mara\) — ivan,/);
    assert.match(topic("Release 6.0"), /AGREED\*\*: ship on the 15th — ivan,/);
    assert.match(topic("Infrastructure"), /INFO\*\*: the new CI runners are up — mara,/);
    assert.match(topic("Infrastructure"), /ACTION\*\*: renew the certificates \(ivan\) — mara,/);
    assert.match(topic("Infrastructure"), /AGREED\*\*: retire the old runners — mara,/);
    assert.match(topic(XSS), /INFO\*\*: meetup in March — dora,/);
    assert.match(topic(XSS), /ACTION\*\*: book the venue \(mara_d\) — dora,/);
    assert.match(topic(XSS), /AGREED\*\*: hold the meetup — dora,/);
    assert.ok(!part("## Summary", "## Action items").includes("a mistake"), "#undo took it out of the summary");

    // Mara's actions, given to her by her Matrix name on IRC and by her Discord account on Discord, are together.
    assert.deepEqual(part("## Action items\n\n", "\n\n").split("\n"), [
      "- mara: write the release notes",
      "- mara: book the venue",
      "- ivan: renew the certificates",
    ]);
    const present = part("## People present (lines said)\n\n", "\n\n").split("\n").sort();
    assert.deepEqual(present, [
      `- ${XSS} (${DISCORD}): 2`,
      `- dora (${DISCORD}): 8`, // her #startmeeting line is in the log too
      `- ivan (${IRC}): 5`,
      `- mara (${MATRIX}), mara_d (${DISCORD}): 7`,
      `- zed (${IRC}): 1`,
    ]);
    const log = part("## Full log\n\n", "\n\n");
    assert.match(log, new RegExp(`\\[${IRC}\\] ivan: talk from irc\n`));
    assert.match(log, new RegExp(`\\[${MATRIX}\\] mara: talk from matrix\n`));
    assert.match(log, new RegExp(`\\[${DISCORD}\\] dora: talk from discord\n`));
    assert.ok(log.includes(`[${DISCORD}] ${XSS}: talk from mallory\n`), log);
  });

  it("markup in a Discord display name and in an agenda item is text in the HTML minutes and on the meeting's page", async () => {
    const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    assert.ok(!/<script/i.test(html), "the minutes have no script element at all");
    assert.ok(html.includes(`<h3>${escaped}</h3>`), "the agenda item taken up as a topic");
    assert.ok(html.includes(`<li>${escaped} (${DISCORD}): 2</li>`), "Mallory among the people present");
    assert.ok(html.includes(`[${DISCORD}] ${escaped}: talk from mallory</li>`), "Mallory in the log");

    const page = await (await fetch(`${web}/meetings/${proposal}`)).text();
    assert.ok(page.includes(`<li>${escaped} <em>(dora)</em></li>`), page);
    assert.ok(!page.includes(XSS));
  });
});
