/**
 * adversarial.md, "Cross-room and identity abuse", through crier against InspIRCd, Synapse and the fake Discord,
 * with two links: "devel" and "ops" (whose IRC channel is named `#ops'";--`). Each test proves on the servers
 * that nothing crossed from one room to the other, and that nobody acted for someone else.
 *
 * Also proven elsewhere: the whole permissions matrix per platform (test/e2e/permissions-platforms.test.ts), the
 * message map's scoping and author checks on both stores (test/unit/relay/relay.test.ts,
 * test/store/postgres.test.ts), single-use and expiring link codes (test/unit/features/linked-zones.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RawIrcClient } from "../../testbed/irc-client.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { HostileNetworks, type SecondLink } from "./wire.js";

describe("adversarial: cross-room and identity abuse", () => {
  const net = new HostileNetworks({ extra: { admins: ["irc.net:ivan"] } }, { secondLink: true });
  let ops: SecondLink;
  let nico: RawIrcClient;
  let norm: MatrixTestUser;
  before(async () => {
    await net.start();
    ops = net.second!;
    await net.startApp();
    nico = await net.ircPerson("nico");
    await net.ivan.join(ops.ircChannel);
    norm = await net.synapse.register("norm");
    await norm.join(net.room);
    await norm.join(ops.matrixRoom);
  });
  after(async () => {
    nico?.close();
    await net.stop();
  });

  const opsIrc = () =>
    net.ivan.lines.filter((l) => l.includes(` PRIVMSG ${ops.ircChannel} :`)).map((l) => ThreeNetworks.ircText(l));
  const opsDiscord = () => net.discord.sentBy(ops.discordChannel);
  /** Everything crier said on the devel link since the test began, on all three networks. */
  const develEverywhere = async () => [
    ...net.ircFromCrier().map(ThreeNetworks.ircText),
    ...net.discordFromCrier().map((m) => m.content),
    ...(await net.matrixFromCrier()).map((e) => String(e.content.body)),
  ];
  /** A message from Mara on devel that has reached IRC and Discord: everything said before it has been handled. */
  const settle = async (tag: string) => {
    await net.mara.sendText(net.room, tag);
    await net.waitIrc((t) => t.endsWith(tag));
    await net.waitDiscord((m) => m.content === tag);
  };

  it("a reply that points at an event id from another room leaks nothing from that room (GHSA-c7hh-3v6c-fj4q)", async () => {
    const secretId = await net.mara.sendText(ops.matrixRoom, "ops-secret-1 for ops eyes only");
    await waitUntil("the secret on #ops", () => opsIrc().some((t) => t.includes("ops-secret-1")));
    const secretOnIrc = net.ivan.lines.find((l) => l.includes("ops-secret-1"))!;
    const secretOnDiscord = opsDiscord().find((m) => m.content.includes("ops-secret-1"))!;

    await norm.reply(net.room, secretId, "reply-x1 from matrix");
    net.discord.post(net.channelId, net.dora, "reply-x2 from discord", {
      message_reference: {
        message_id: secretOnDiscord.id,
        channel_id: ops.discordChannel,
        guild_id: net.discord.world.guildId,
      },
    });
    const msgid = /msgid=([^;\s]+)/.exec(secretOnIrc)![1];
    net.ivan.send(`@+draft/reply=${msgid} PRIVMSG ${CHANNEL} :reply-x3 from irc`);
    await net.waitDiscord((m) => m.content.includes("reply-x1"));
    await net.waitIrc((t) => t.includes("reply-x2"));
    await net.waitMatrix((e) => String(e.content.body).includes("reply-x3"));
    await net.waitDiscord((m) => m.content.includes("reply-x3"));
    await settle("settle-1");
    const everywhere = await develEverywhere();
    assert.ok(!everywhere.some((t) => t.includes("ops-secret")), everywhere.join("\n"));
    assert.ok(!net.discordFromCrier().some((m) => m.content.includes(ops.discordChannel)), "no link into #ops");
    const inReplyTo = (await net.matrixFromCrier()).map((e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id);
    assert.ok(!inReplyTo.includes(secretId));
  });

  it("replies to messages sent before the replier joined quote only what the link already showed", async () => {
    const old = `before-newcomer ${"padding ".repeat(20)}tail-beyond-the-excerpt`;
    const oldId = await net.mara.sendText(net.room, old);
    await net.waitIrc((t) => t.includes("before-newcomer"));
    const late = await net.synapse.register("late");
    await late.join(net.room);
    await late.reply(net.room, oldId, "reply-late answering");
    const line = await net.waitIrc((t) => t.includes("reply-late answering"));
    const lines = net.ircFromCrier().map(ThreeNetworks.ircText);
    const quote = lines[lines.indexOf(ThreeNetworks.ircText(line)) - 1];
    // mara may carry her handle: another "mara" was seen in the link earlier in this file (names are never shared).
    assert.match(quote, /^<late> > mara(?: \([^)]*\))?: before-newcomer (padding )+/);
    assert.ok(quote.endsWith("…") && !quote.includes("tail-beyond"), quote);
  });

  it("an edit or delete by someone who is not the author changes nothing", async () => {
    const id = await net.mara.sendText(net.room, "owned-by-mara original");
    const copy = await net.waitDiscord((m) => m.content === "owned-by-mara original");
    await norm.edit(net.room, id, "owned-by-mara HIJACKED by norm");
    await net.mod.redact(net.room, id);
    await settle("settle-3");
    const now = net.discordFromCrier().find((m) => m.id === copy.id);
    assert.equal(now?.content, "owned-by-mara original", "the Discord copy is neither edited nor deleted");
    assert.ok(!(await develEverywhere()).some((t) => t.includes("HIJACKED")));
  });

  it("a message id reused or replayed to edit someone else's relayed message is refused", async () => {
    const mine = net.discord.post(net.channelId, net.dora, "dora-says original");
    const onMatrix = await net.waitMatrix((e) => String(e.content.body).includes("dora-says original"));
    // Matrix: an edit aimed at crier's copy of Dora's message.
    await norm.edit(net.room, onMatrix.event_id as string, "dora-says FORGED via the copy");
    // Discord: Dora's message id replayed as a new message, and crier's webhook copy "edited" by someone else.
    const maraCopy = await settleCopy("mara-said for copy");
    const mallory = net.discord.world.addUser("mallory");
    net.discord.gateway.dispatch("MESSAGE_CREATE", {
      ...mine,
      content: "dora-says REPLAYED",
      author: mallory,
      member: net.discord.world.member(mallory.id),
    });
    net.discord.gateway.dispatch("MESSAGE_UPDATE", {
      ...maraCopy,
      webhook_id: undefined,
      author: mallory,
      content: "mara-said FORGED",
    });
    await settle("settle-4");
    const everywhere = await develEverywhere();
    assert.ok(!everywhere.some((t) => /FORGED|REPLAYED/.test(t)), everywhere.join("\n"));
    const edits = (await net.matrixFromCrier()).filter((e) => e.content["m.relates_to"]?.rel_type === "m.replace");
    assert.ok(!edits.some((e) => e.content["m.relates_to"].event_id === onMatrix.event_id));
  });

  async function settleCopy(text: string) {
    await net.mara.sendText(net.room, text);
    return net.waitDiscord((m) => m.content === text);
  }

  it("every message-map lookup is scoped to its room: an edit, reaction or delete naming another room's message touches nothing", async () => {
    // Synapse refuses relations and redactions across rooms at its API; Discord events are forged on the gateway,
    // as a buggy or hostile server could send them: the message is Dora's own, only its room is wrong.
    const original = net.discord.post(ops.discordChannel, net.dora, "ops-original-5");
    const [copy] = await net.mara.waitFor(ops.matrixRoom, (e) => String(e.content.body).includes("ops-original-5"));
    const wrongRoom = { channel_id: net.channelId, guild_id: net.discord.world.guildId };
    net.discord.gateway.dispatch("MESSAGE_UPDATE", {
      ...original,
      ...wrongRoom,
      content: "ops-original-5 CROSS-EDITED",
      edited_timestamp: new Date().toISOString(),
    });
    net.discord.react(net.channelId, original.id, net.dora, "🔥");
    net.discord.gateway.dispatch("MESSAGE_DELETE", { id: original.id, ...wrongRoom });
    await settle("settle-5");
    net.discord.post(ops.discordChannel, net.dora, "ops-settle-5");
    const opsEvents = await net.mara.waitFor(ops.matrixRoom, (e) => String(e.content.body).includes("ops-settle-5"));
    assert.ok(opsEvents.length);
    const touching = (await net.mara.messages(ops.matrixRoom, 100)).filter(
      (e) => e.redacts === copy.event_id || e.content?.["m.relates_to"]?.event_id === copy.event_id,
    );
    assert.deepEqual(touching, [], "nothing in #ops points at the copy");
    assert.ok(!opsIrc().some((t) => t.includes("CROSS-EDITED")));
    assert.ok(!(await develEverywhere()).some((t) => t.includes("CROSS-EDITED")));
  });

  /** Runs `input` as `who` and returns crier's answer to it (a NOTICE on IRC, an m.notice, a bot message). */
  const ircAnswer = async (who: RawIrcClient, target: string, input: string, re: RegExp) => {
    const from = who.lines.length;
    who.say(target, input);
    await waitUntil(`answer to ${input}`, () => who.lines.slice(from).some((l) => / NOTICE /.test(l) && re.test(l)));
    return who.lines.slice(from).filter((l) => /^(@\S+ )?:crier!\S+ NOTICE /.test(l));
  };
  const matrixAnswer = async (who: MatrixTestUser, room: string, input: string, re: RegExp) => {
    const sent = await who.sendText(room, input);
    let answer = "";
    await waitUntil(`answer to ${input}`, async () => {
      const all = await who.messages(room, 50);
      const hit = all
        .slice(all.findIndex((e) => e.event_id === sent) + 1)
        .find((x) => x.sender === net.bot.userId && re.test(String(x.content.body)));
      answer = String(hit?.content.body ?? "");
      return !!hit;
    });
    return answer;
  };
  const stillRelays = async (tag: string) => {
    net.discord.post(net.channelId, net.dora, tag);
    await net.waitIrc((t) => t.endsWith(tag));
    await net.waitMatrix((e) => String(e.content.body).endsWith(tag));
  };

  it("admin commands from non-admins on each platform change nothing", async () => {
    await ircAnswer(nico, CHANNEL, "!link pause devel", /only admins may use !link/);
    await matrixAnswer(norm, net.room, "!link pause devel", /only admins may use !link/);
    net.discord.post(net.channelId, net.dora, "!link pause devel");
    await net.waitDiscord((m) => m.content.includes("only admins may use !link"));
    await stillRelays("still-linked-6");
  });

  it("admin commands in a private message that name a room the sender does not administer change nothing", async () => {
    // On IRC a private message is nobody's channel; on Matrix Norm moderates #ops but not #devel.
    await ircAnswer(nico, "crier", "!link pause devel", /only admins may use !link/);
    await net.mara.setPowerLevel(ops.matrixRoom, norm.userId, 50);
    const answer = await matrixAnswer(norm, ops.matrixRoom, "!link pause devel", /link "devel"|may not|only admins/);
    assert.match(answer, /you may not change link "devel" from here/);
    assert.match(await matrixAnswer(norm, ops.matrixRoom, "!link pause ops", /link ops/), /link ops paused/);
    assert.match(await matrixAnswer(norm, ops.matrixRoom, "!link resume ops", /link ops/), /link ops resumed/);
    await stillRelays("still-linked-7");
  });

  it("a forged identity on a provisioning API (CVE-2023-38691): a link code is only ever given privately", async () => {
    // Whoever says a link code first becomes the same person as the asker, with the asker's admin rights.
    const fromNico = nico.lines.length;
    const toIvan = await ircAnswer(net.ivan, CHANNEL, "!link-identity", /link-identity [A-Z0-9]{8}/);
    const code = /link-identity ([A-Z0-9]{8})/.exec(toIvan.join("\n"))![1];
    assert.match(toIvan.join("\n"), /NOTICE ivan :to link another account/);
    await net.waitMatrix((e) => String(e.content.body).endsWith("!link-identity"));
    await net.waitDiscord((m) => m.content.endsWith("!link-identity"));
    assert.ok(!nico.lines.slice(fromNico).some((l) => l.includes(code)), "the channel never saw the code");
    assert.ok(!(await develEverywhere()).some((t) => t.includes(code)), "nor did Matrix or Discord");
    assert.match(
      await matrixAnswer(norm, net.room, "!link-identity", /privately|link-identity/),
      /^that answer is for you alone/,
    );
    // Nico, who saw no code, is no admin; the one who got it (Ivan's second account) is.
    await ircAnswer(nico, CHANNEL, "!outbox", /only admins may use !outbox/);
    const ivanOnDiscord = net.discord.world.addUser("ivan_d");
    net.discord.post(net.channelId, ivanOnDiscord, `!link-identity ${code}`);
    await net.waitDiscord((m) => m.content.includes("are now one person"));
    net.discord.post(net.channelId, ivanOnDiscord, "!outbox");
    await net.waitDiscord((m) => /pending/.test(m.content) && !m.webhook_id);
  });

  it("room ids containing quotes and SQL metacharacters are handled as data", async () => {
    // The ops link's IRC channel is #ops'";-- and carries messages both ways.
    await net.mara.sendText(ops.matrixRoom, "into-quoted-channel-8");
    await waitUntil("the line in #ops'\";--", () => opsIrc().some((t) => t.endsWith("into-quoted-channel-8")));
    net.ivan.say(ops.ircChannel, "out-of-quoted-channel-8");
    await waitUntil("the line from #ops'\";-- on Discord", () =>
      opsDiscord().some((m) => m.content === "out-of-quoted-channel-8"),
    );
    const id = await net.mara.sendText(net.room, "edit-me-8");
    await net.waitDiscord((m) => m.content === "edit-me-8");
    net.ivan.say(CHANNEL, `!link pause "devel'; DROP TABLE relay_ids; --"`);
    net.ivan.say(CHANNEL, "!advisories poll ' OR 1=1 --");
    await net.ivan.waitFor(/NOTICE #devel :no link named "devel'; DROP TABLE relay_ids; --"/);
    await net.ivan.waitFor(/NOTICE #devel :no advisory source "'"/);
    // The message map still answers: an edit still finds its copies.
    await net.mara.edit(net.room, id, "edit-me-8 edited");
    await net.waitDiscord((m) => m.content === "edit-me-8 edited");
  });

  it("a tombstone event redirecting a linked room is not followed (CVE-2021-32659)", async () => {
    const elsewhere = await norm.createRoom({ invite: [net.bot.userId], name: "trap" });
    await net.mara.request(
      "PUT",
      `/_matrix/client/v3/rooms/${encodeURIComponent(ops.matrixRoom)}/state/m.room.tombstone/`,
      { body: "moved", replacement_room: elsewhere },
    );
    await net.mara.waitFor(
      ops.matrixRoom,
      (e) => e.sender === net.bot.userId && String(e.content.body).includes(`upgraded to ${elsewhere}`),
    );
    await norm.sendText(elsewhere, "said-in-the-trap-9");
    await net.mara.sendText(ops.matrixRoom, "still-the-ops-room-9");
    await waitUntil("the old room still linked", () => opsIrc().some((t) => t.endsWith("still-the-ops-room-9")));
    assert.notEqual(await norm.membership(elsewhere, net.bot.userId), "join");
    assert.ok(!opsIrc().some((t) => t.includes("said-in-the-trap")));
  });

  it("a Matrix room upgrade or Discord channel deletion while linked: the other rooms keep their link", async () => {
    const upgrade = await net.mara.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(net.room)}/upgrade`, {
      new_version: "11",
    });
    await net.mara.waitFor(
      net.room,
      (e) => e.sender === net.bot.userId && String(e.content.body).includes(upgrade.replacement_room),
    );
    assert.equal(await net.mara.membership(upgrade.replacement_room, net.bot.userId), undefined);
    // The ops Discord channel is deleted while linked: what goes there is parked, the rest flows.
    net.discord.world.channels.delete(ops.discordChannel);
    net.discord.world.messages.delete(ops.discordChannel);
    net.discord.gateway.dispatch("CHANNEL_DELETE", {
      id: ops.discordChannel,
      type: 0,
      guild_id: net.discord.world.guildId,
    });
    net.ivan.say(ops.ircChannel, "after-the-channel-went-10");
    await net.mara.waitFor(ops.matrixRoom, (e) => String(e.content.body).endsWith("after-the-channel-went-10"));
    net.ivan.say(CHANNEL, "devel-still-flows-10");
    await net.waitDiscord((m) => m.content === "devel-still-flows-10");
    const outbox = await net.app!.app.ctx.outbox.depths();
    assert.ok(
      outbox.some((r) => r.account === "discord.dc" && Number(r.parked) >= 1),
      JSON.stringify(outbox),
    );
  });
});
