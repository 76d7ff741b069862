/**
 * adversarial.md, "Injection into IRC", against the real InspIRCd: hostile text from Matrix and Discord people
 * (and IRC formatting from IRC people) reaches IRC only as text. Each check reads what the IRC server itself
 * received from crier's connection (ircInputSafe) and what an IRC user saw.
 *
 * Also proven elsewhere: the encoder property test (test/unit/adapters/irc, fast-check over arbitrary text), config refusal
 * of channel names with spaces or commas (test/unit/config). Case-mapping twins (#foo[ / #foo{) are one channel to
 * the server; crier only ever names the channels its config lists, so no twin can be introduced from chat.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitUntil } from "../../testbed/ports.js";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { ircInputSafe } from "./checks.js";

const HOSTILE = "one\rQUIT :pwned\ntwo\r\nJOIN 0\rMODE #devel +o eve\0NICK evil";

describe("hostile input cannot inject into IRC", () => {
  const net = new ThreeNetworks({ linkMembership: true, extra: { admins: ["matrix.hs:@moddy:localhost"] } });
  let from = 0;
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  /** Marks where this test's lines start; returns a check of everything crier sent since. */
  const mark = () => {
    from = net.irc.inputOf("crier").length;
  };
  const ivanSaw = () => net.ircFromCrier().map(ThreeNetworks.ircText);
  /** Waits for a NOTICE from crier in the channel (its own words, membership notices). */
  const noticeOnIrc = (re: RegExp) =>
    waitUntil(`a notice matching ${re} on IRC`, () =>
      net.ivan.lines.some((l) => /^(@\S+ )?:crier\S* NOTICE #devel :/.test(l) && re.test(l)),
    );
  const noCtcpAtIvan = () =>
    assert.ok(!net.ivan.lines.some((l) => /^(@\S+ )?:crier\S* (PRIVMSG|NOTICE) \S+ :.*\x01/.test(l)), "no CTCP");

  it("CR, LF, CRLF, a lone CR and NUL in message text from Matrix and Discord stay text (CVE-2022-29166)", async () => {
    mark();
    await net.mara.sendText(net.room, `mx ${HOSTILE} end-mx`);
    net.discord.post(net.channelId, net.dora, `dc ${HOSTILE} end-dc`);
    await net.waitIrc((t) => t.includes("end-mx"));
    await net.waitIrc((t) => t.includes("end-dc"));
    const said = ircInputSafe(net.irc, from);
    assert.ok(
      said.some((t) => t.includes("QUIT :pwned")),
      "the would-be command arrived as text",
    );
    assert.equal(net.app!.app.ctx.adapters.get("irc.net")!.state(), "connected");
  });

  it("… in /me text", async () => {
    mark();
    await net.mara.send(net.room, { msgtype: "m.emote", body: `waves ${HOSTILE} end-emote` });
    await net.waitIrc((t) => t.includes("end-emote"));
    ircInputSafe(net.irc, from);
    noCtcpAtIvan();
  });

  it("… in quoted reply text: replying to a message with a lone CR (CVE-2022-29166)", async () => {
    const dm = net.discord.post(net.channelId, net.dora, "bait\rPRIVMSG NickServ :DROP");
    const copy = await net.waitMatrix((e) => String(e.content.body).includes("bait"));
    mark();
    await net.mara.reply(net.room, copy.event_id as string, "victim-reply");
    await net.waitIrc((t) => t.includes("victim-reply"));
    const said = ircInputSafe(net.irc, from);
    assert.ok(
      said.some((t) => t.includes("bait PRIVMSG NickServ :DROP")),
      said.join("\n"),
    );
    assert.ok(dm.id);
  });

  it("… in edit text", async () => {
    const id = await net.mara.sendText(net.room, "to be edited");
    await net.waitIrc((t) => t.includes("to be edited"));
    mark();
    await net.mara.edit(net.room, id, `edited ${HOSTILE} end-edit`);
    await net.waitIrc((t) => t.includes("end-edit"));
    ircInputSafe(net.irc, from);
  });

  it("… in display names and nicks", async () => {
    mark();
    const who = await net.synapse.register("namer");
    await who.join(net.room);
    await who.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(who.userId)}/displayname`, {
      displayname: "eve\r\nQUIT :x\0",
    });
    await who.sendText(net.room, "from a crafted name end-name");
    const evil = net.discord.world.addUser("dora\nJOIN 0");
    net.discord.post(net.channelId, evil, "from a crafted discord name end-dname");
    await net.waitIrc((t) => t.includes("end-name"));
    await net.waitIrc((t) => t.includes("end-dname"));
    ircInputSafe(net.irc, from);
  });

  it("… in room names given to admin commands (CVE-2023-38690)", async () => {
    mark();
    const asked = await net.mod.sendText(net.room, "!link pause devel\r\nJOIN #evil\rPRIVMSG #devel :owned");
    await waitUntil("crier's answer on Matrix", async () => {
      const all = await net.mod.messages(net.room, 50);
      return all
        .slice(all.findIndex((e) => e.event_id === asked))
        .some((e) => e.sender === net.bot.userId && e.content.msgtype === "m.notice");
    });
    await net.mod.sendText(net.room, "!link resume devel");
    await net.waitMatrix((e) => e.content.body === "link devel resumed");
    net.ivan.say(CHANNEL, "admin-probe");
    await net
      .waitMatrix((e) => String(e.content.body).includes("admin-probe"))
      .catch(async (err) => {
        const said = (await net.matrixFromCrier()).map((e) => String(e.content.body)).slice(-5);
        throw new Error(`${(err as Error).message}: ${JSON.stringify(said)}`);
      });
    const said = ircInputSafe(net.irc, from);
    assert.ok(!said.some((t) => t === "owned"));
  });

  it("… in topics and leave reasons relayed as membership notices", async () => {
    mark();
    await net.mara.request("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(net.room)}/state/m.room.topic/`, {
      topic: "topic\r\nQUIT :bye\0 end-topic",
    });
    await noticeOnIrc(/set the topic: topic QUIT :bye.* end-topic/);
    ircInputSafe(net.irc, from);
  });

  it("… in file names", async () => {
    mark();
    const mxc = await net.mara.upload(Buffer.from("x"), "text/plain", "f.txt");
    await net.mara.send(net.room, { msgtype: "m.file", body: "evil\r\nQUIT :f.txt end-file", url: mxc });
    await net.waitIrc((t) => t.includes("end-file"));
    ircInputSafe(net.irc, from);
  });

  it("crier's own answers cannot be split into commands (irc-framework #244): a meeting title with CRLF", async () => {
    mark();
    await net.mara.sendText(net.room, "#startmeeting Title\r\nQUIT :gone\rJOIN 0");
    await noticeOnIrc(/started by/);
    await net.mara.sendText(net.room, "#endmeeting");
    await noticeOnIrc(/ended by/);
    ircInputSafe(net.irc, from);
  });

  it("\\x01 in relayed text — DCC SEND smuggling (CVE-2022-2663) and \\x01ACTION — reaches no one as CTCP", async () => {
    mark();
    await net.mara.sendText(net.room, "\x01DCC SEND x 2130706433 6667 1\x01 end-dcc");
    net.discord.post(net.channelId, net.dora, "\x01ACTION pretends\x01 end-action");
    await net.waitIrc((t) => t.includes("end-dcc"));
    await net.waitIrc((t) => t.includes("end-action"));
    ircInputSafe(net.irc, from);
    noCtcpAtIvan();
  });

  it("mIRC codes that hide text (black on black, reverse, monospace, reset) are shown on Matrix and Discord", async () => {
    net.ivan.say(CHANNEL, "visible \x0301,01hidden-black\x03 \x16reversed\x16 \x11mono\x11 \x0fend-codes");
    const m = await net.waitMatrix((e) => String(e.content.body).includes("end-codes"));
    const d = await net.waitDiscord((x) => x.content.includes("end-codes"));
    for (const text of [String(m.content.body), d.content]) {
      assert.ok(text.includes("hidden-black") && text.includes("reversed") && text.includes("mono"), text);
      assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f]/, "no control codes left");
    }
  });

  it("parameters that change meaning — a leading ':', spaces, '#a,#b', 'JOIN 0' — stay inside one PRIVMSG", async () => {
    mark();
    const who = await net.synapse.register("colon");
    await who.join(net.room);
    await who.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(who.userId)}/displayname`, {
      displayname: ":a b #a,#b",
    });
    await who.sendText(net.room, ":JOIN 0");
    await who.sendText(net.room, "#a,#b JOIN 0 end-params");
    await net.waitIrc((t) => t.includes("end-params"));
    const said = ircInputSafe(net.irc, from);
    assert.ok(
      said.some((t) => t.endsWith(":JOIN 0")),
      said.join("\n"),
    );
  });

  it("the 512-byte limit: multi-byte text across the boundary and a 4,000-character word are split into valid lines", async () => {
    mark();
    const cjk = "漢字😀".repeat(150);
    await net.mara.sendText(net.room, `start-cjk ${cjk}`);
    await net.mara.sendText(net.room, `start-word ${"x".repeat(4000)}`);
    // Long text is cut to a few lines (and a link or a "more lines" marker): wait for the first line of each.
    await net.waitIrc((t) => t.includes("start-cjk"), 30_000);
    await net.waitIrc((t) => t.includes("start-word"), 30_000);
    const said = ircInputSafe(net.irc, from);
    assert.ok(!said.some((t) => t.includes("\ufffd")), "no broken character");
  });

  it("a 200-line paste becomes a few lines and a link, not a flood", async () => {
    mark();
    const paste = Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n");
    await net.mara.sendText(net.room, `${paste}\nend-paste`);
    await net.waitIrc((t) => /more lines/.test(t));
    const said = ircInputSafe(net.irc, from);
    assert.ok(said.length <= 6, `${said.length} lines sent for a 200-line paste`);
  });

  it("a 64 KiB Matrix event is relayed within every limit", async () => {
    mark();
    const body = `${"word ".repeat(12_000)}end-big`;
    await net.mara.sendText(net.room, body);
    await net.waitDiscord((x) => x.content.includes("word"), 30_000);
    await net.waitIrc((t) => t.includes("word"), 30_000);
    ircInputSafe(net.irc, from);
    assert.ok(net.discordFromCrier().every((x) => x.content.length <= 2000));
    ivanSaw();
  });
});
