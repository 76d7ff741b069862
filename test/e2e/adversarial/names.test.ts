/**
 * adversarial.md, "Names that break delivery", through crier against InspIRCd, Synapse and the fake Discord (which
 * refuses webhook names the way Discord does): every name below still gets its message delivered, nowhere dropped.
 *
 * Also proven elsewhere: the Discord adapter alone adjusting refused names (test/adapters/discord/discord.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { HostileNetworks } from "./wire.js";

const WEBHOOK_FORBIDDEN = /discord|clyde|here|everyone/i;

describe("adversarial: names that break delivery", () => {
  const net = new HostileNetworks({});
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("names ending in the bridge's own suffix are relayed like anyone's, and cannot make crier think it left", async () => {
    const twin = await net.ircPerson("crier_");
    try {
      twin.say(CHANNEL, "twin speaks");
      await net.waitMatrix(
        (e) => String(e.content.body) === "twin speaks" || String(e.content.body).endsWith(": twin speaks"),
      );
      assert.equal((await net.waitDiscord((m) => m.content === "twin speaks")).author.username, "crier_");
      twin.send(`PART ${CHANNEL} :bye`);
      twin.send(`JOIN ${CHANNEL}`);
      twin.send(`PART ${CHANNEL} :bye again`);
      await twin.waitFor(/ PART #devel :bye again/);
      await net.mara.sendText(net.room, "after the twin left");
      assert.equal(
        ThreeNetworks.ircText(await net.waitIrc((t) => t.includes("after the twin left"))),
        "<mara> after the twin left",
      );
    } finally {
      twin.close();
    }
  });

  let n = 0;
  /** A new Matrix person in the room whose display name is `name`. */
  const matrixPerson = async (name: string): Promise<MatrixTestUser> => {
    const u = await net.synapse.register(`named${++n}`);
    await u.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(u.userId)}/displayname`, {
      displayname: name,
    });
    await u.join(net.room);
    return u;
  };
  /** `text` from a person named `name` on Matrix reaches Discord and IRC; returns the Discord copy and IRC line. */
  const deliveredFromMatrix = async (name: string, text: string) => {
    const u = await matrixPerson(name);
    await u.sendText(net.room, text);
    const d = await net.waitDiscord((m) => m.content === text);
    const irc = ThreeNetworks.ircText(await net.waitIrc((t) => t.endsWith(text)));
    return { d, irc };
  };

  it('Discord webhook usernames containing "discord", "clyde", "here" or "everyone" are adjusted, and the message arrives', async () => {
    const { d, irc } = await deliveredFromMatrix("Discord Clyde is HERE for everyone", "forbidden-words-1");
    assert.doesNotMatch(d.author.username, WEBHOOK_FORBIDDEN);
    assert.equal(d.author.username.replace(/\u200b/g, ""), "Discord Clyde is HERE for everyone");
    assert.equal(irc, "<Discord Clyde is HERE for everyone> forbidden-words-1");
    const clyde = await net.ircPerson("clyde");
    try {
      clyde.say(CHANNEL, "forbidden-words-2");
      const fromIrc = await net.waitDiscord((m) => m.content === "forbidden-words-2");
      assert.doesNotMatch(fromIrc.author.username, WEBHOOK_FORBIDDEN);
    } finally {
      clyde.close();
    }
  });

  it("names longer than 80 characters are shortened, and the message arrives", async () => {
    const long = `${"Bartholomew ".repeat(10)}the Long`;
    const one = await deliveredFromMatrix(long, "long-name-3");
    assert.ok(one.d.author.username.length <= 80 && long.startsWith(one.d.author.username));
    // Emoji count twice in UTF-16: 60 of them are 120 units, which Discord's limit counts.
    const party = await deliveredFromMatrix(`a${"🎉".repeat(80)}`, "long-name-4");
    assert.ok(party.d.author.username.length <= 80, `${party.d.author.username.length} UTF-16 units`);
    assert.equal(party.d.author.username, `a${"🎉".repeat(39)}`);
    // IRC shows 64 characters of it, none cut in half.
    assert.equal(party.irc, `<a${"🎉".repeat(63)}> long-name-4`);
  });

  it('one-character names and names with a leading "." are delivered', async () => {
    const dot = await deliveredFromMatrix(".hidden", "leading-dot-5");
    assert.equal(dot.d.author.username, ".hidden");
    assert.equal(dot.irc, "<.hidden> leading-dot-5");
    const x = await deliveredFromMatrix("x", "one-char-6");
    assert.equal(x.d.author.username, "x");
    assert.equal(x.irc, "<x> one-char-6");
    const q = await net.ircPerson("q");
    try {
      q.say(CHANNEL, "one-char-7");
      assert.equal((await net.waitDiscord((m) => m.content === "one-char-7")).author.username, "q");
    } finally {
      q.close();
    }
  });
});
