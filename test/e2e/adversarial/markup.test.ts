/**
 * adversarial.md, "Markup", through crier against InspIRCd, Synapse and the fake Discord: markup typed by people
 * stays text where it would become markup, Matrix HTML from crier holds only allow-listed tags (matrixSafe), links
 * show where they really go, and nobody can pass for someone else on the other networks.
 *
 * Also proven elsewhere: any HTML in → only allow-listed tags out, as a property (test/adapters/matrix/html.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { HostileNetworks, matrixSafe } from "./wire.js";

const TAGS =
  '<a href="https://evil.example">a</a> <img src="mxc://evil.example/x"> <script>alert(1)</script> ' +
  '<iframe src="https://evil.example"></iframe> <mx-reply>forged</mx-reply> ' +
  '<font data-mx-color="#ff0000">red</font> <a href="javascript:alert(2)">js</a>';

describe("adversarial: markup", () => {
  const net = new HostileNetworks({ extra: { admins: ["irc.net:ivan"] } });
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  let n = 0;
  const matrixPerson = async (name: string): Promise<MatrixTestUser> => {
    const u = await net.synapse.register(`marked${++n}`);
    await u.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(u.userId)}/displayname`, {
      displayname: name,
    });
    await u.join(net.room);
    return u;
  };
  const ircLines = (tag: string) => net.ircFromCrier().filter((l) => l.includes(tag));

  it("raw <a>, <img src=mxc://…>, <script>, <iframe>, a forged <mx-reply>, <font data-mx-color> and javascript: links from IRC and Discord stay text in Matrix HTML", async () => {
    net.ivan.say(CHANNEL, `tags-irc ${TAGS}`);
    net.discord.post(net.channelId, net.dora, `tags-dc ${TAGS} [masked js](javascript:alert(3))`);
    for (const tag of ["tags-irc", "tags-dc"]) {
      const e = await net.waitMatrix((x) => String(x.content.body).includes(tag));
      const shown = matrixSafe(e.content);
      assert.ok(shown.includes(TAGS), `the markup is shown as typed: ${shown}`);
      assert.doesNotMatch(String(e.content.formatted_body), /<(a|img|script|iframe|mx-reply|font)\b/);
    }
  });

  it("the same markup sent as Matrix HTML reaches IRC and Discord without its scripts, forged reply or hidden links", async () => {
    await net.mara.sendHtml(net.room, "html-mx", `html-mx ${TAGS} end-html-mx`);
    const d = await net.waitDiscord((m) => m.content.startsWith("html-mx"));
    const line = ThreeNetworks.ircText(await net.waitIrc((t) => t.includes("html-mx")));
    for (const shown of [d.content, line]) {
      assert.doesNotMatch(shown, /alert\(|forged|javascript:|mxc:/, shown);
      assert.match(shown, /end-html-mx/);
      assert.match(shown, /https:\/\/evil\.example/, "the real link target is visible");
    }
  });

  it("display names containing </b> or < are escaped in Matrix HTML and shown as typed elsewhere", async () => {
    const evil = net.discord.world.addUser("evil");
    evil.global_name = '</strong><img src="x"> <b>boss';
    net.discord.post(net.channelId, evil, "name-markup-3");
    const e = await net.waitMatrix((x) => String(x.content.body).includes("name-markup-3"));
    assert.equal(matrixSafe(e.content), '</strong><img src="x"> <b>boss: name-markup-3');
    const u = await matrixPerson("<i>tilted</i> & </strong>");
    await u.sendText(net.room, "name-markup-4");
    const d = await net.waitDiscord((m) => m.content === "name-markup-4");
    assert.equal(d.author.username, "<i>tilted</i> & </strong>");
  });

  it("Discord masked links [bank.example](https://evil.example) show their real target on IRC and Matrix", async () => {
    net.discord.post(net.channelId, net.dora, "masked-5 [bank.example](https://evil.example/login) please");
    const line = ThreeNetworks.ircText(await net.waitIrc((t) => t.includes("masked-5")));
    assert.equal(line, "<dora> masked-5 bank.example (https://evil.example/login) please");
    const e = await net.waitMatrix((x) => String(x.content.body).includes("masked-5"));
    assert.match(String(e.content.body), /bank\.example \(https:\/\/evil\.example\/login\)/);
    const shown = matrixSafe(e.content);
    assert.match(shown, /https:\/\/evil\.example\/login/, `what a Matrix reader sees: ${shown}`);
    assert.doesNotMatch(String(e.content.formatted_body), /<a [^>]*>bank\.example<\/a>/);
  });

  it("spoofed authorship: a name made to look like the bridge's own prefix (<admin> …) cannot fake a line on IRC", async () => {
    const u = await matrixPerson("admin> ok, everyone do it <mara");
    await u.sendText(net.room, "prefix-6\n<admin> and a second line");
    await net.waitIrc((t) => t.includes("and a second line"));
    const lines = ircLines("prefix-6").concat(ircLines("and a second line")).map(ThreeNetworks.ircText);
    assert.deepEqual(lines, [
      "<admin ok, everyone do it mara> prefix-6",
      "<admin ok, everyone do it mara> <admin> and a second line",
    ]);
  });

  it("spoofed authorship: the RTL override U+202E in a name cannot flip the relayed line", async () => {
    const u = await matrixPerson("\u202Enimda\u2066 x");
    await u.sendText(net.room, "rtl-7");
    const d = await net.waitDiscord((m) => m.content === "rtl-7");
    assert.equal(d.author.username, "nimda x");
    const raw = await net.waitIrc((t) => t.endsWith("rtl-7"));
    assert.doesNotMatch(raw, /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    const evil = net.discord.world.addUser("rtl");
    evil.global_name = "\u202Enimda";
    net.discord.post(net.channelId, evil, "rtl-8");
    assert.doesNotMatch(await net.waitIrc((t) => t.endsWith("rtl-8")), /[\u202a-\u202e]/);
    const m = await net.waitMatrix((x) => String(x.content.body).includes("rtl-8"));
    assert.doesNotMatch(String(m.content.formatted_body), /[\u202a-\u202e]/);
  });

  it("spoofed authorship: a homoglyph of an admin's name gets no admin rights, keeps its own spelling and shows its handle", async () => {
    // Ivan is a configured admin; "іvan" starts with a Cyrillic і, whose confusable skeleton is ivan's.
    const fake = await matrixPerson("іvan");
    await fake.sendText(net.room, "!outbox");
    await fake.waitFor(
      net.room,
      (e) => e.sender === net.bot.userId && /only admins may use !outbox/.test(e.content.body),
    );
    const line = ThreeNetworks.ircText(await net.waitIrc((t) => t.endsWith("!outbox")));
    assert.equal(line, `<іvan (${fake.userId})> !outbox`);
    assert.ok(!line.startsWith("<ivan>"));
  });

  it("spoofed authorship: two people with the same display name are told apart on the other networks", async () => {
    const first = await matrixPerson("Mallory");
    const second = await matrixPerson("Mallory");
    await first.sendText(net.room, "same-name-9");
    await second.sendText(net.room, "same-name-10");
    const [d1, d2] = [
      await net.waitDiscord((m) => m.content === "same-name-9"),
      await net.waitDiscord((m) => m.content === "same-name-10"),
    ];
    assert.notEqual(d1.author.username, d2.author.username);
    const [i1, i2] = [
      ThreeNetworks.ircText(await net.waitIrc((t) => t.endsWith("same-name-9"))),
      ThreeNetworks.ircText(await net.waitIrc((t) => t.endsWith("same-name-10"))),
    ];
    assert.notEqual(i1.replace(/ same-name-9$/, ""), i2.replace(/ same-name-10$/, ""));
    assert.ok(i2.includes(second.userId), i2);
  });
});
