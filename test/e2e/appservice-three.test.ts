/**
 * crier's Matrix account as an application service on a real Synapse that loads the registration crier makes:
 * IRC and Discord people appear as Matrix users of their own (ghosts) with their names, what they edit, delete or
 * react with comes from their ghost, Matrix people's messages still reach IRC and Discord, and the listener for the
 * homeserver checks its token and takes each transaction once, across a restart too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RawEvent } from "../testbed/synapse-client.js";
import { waitUntil } from "../testbed/ports.js";
import { CHANNEL, ThreeNetworks } from "./three/testbed.js";

const IVAN = "@crier_irc_net_ivan:localhost";

describe("Matrix as an application service, across IRC, Matrix and Discord", () => {
  const net = new ThreeNetworks({ matrixAppservice: true, linkMembership: true });
  let doraGhost: string;
  before(async () => {
    await net.start();
    await net.startApp();
    doraGhost = `@crier_discord_${net.dora.id}:localhost`;
  });
  after(() => net.stop());

  const displayName = (userId: string) => net.profileName(userId);
  const memberName = (userId: string) => net.memberName(userId);

  it("an IRC sender and a Discord sender are distinct Matrix users with their names, without a name prefix", async () => {
    net.ivan.say(CHANNEL, "hello as a ghost from irc");
    const fromIvan = await net.waitMatrix((e) => e.content.body === "hello as a ghost from irc");
    assert.equal(fromIvan.sender, IVAN);
    assert.equal(fromIvan.content.msgtype, "m.text");
    assert.equal(fromIvan.content.formatted_body, "hello as a ghost from irc");
    assert.equal(await displayName(IVAN), "ivan (IRC)");
    assert.equal(await memberName(IVAN), "ivan (IRC)", "the ghost joined the room under its name");

    net.discord.post(net.channelId, net.dora, "hello as a ghost from discord");
    const fromDora = await net.waitMatrix((e) => e.content.body === "hello as a ghost from discord");
    assert.equal(fromDora.sender, doraGhost);
    assert.equal(await displayName(doraGhost), "dora");
    assert.notEqual(fromDora.sender, fromIvan.sender);

    // Both still reach the third platform as before.
    await net.waitIrc((t) => t === "<dora> hello as a ghost from discord");
    assert.equal((await net.waitDiscord((m) => m.content === "hello as a ghost from irc")).author.username, "ivan");
  });

  it("a Matrix person's message reaches IRC and Discord, and no ghost's message comes back", async () => {
    await net.mara.sendText(net.room, "hello from a matrix person");
    await net.waitIrc((t) => t === "<mara> hello from a matrix person");
    assert.equal((await net.waitDiscord((m) => m.content === "hello from a matrix person")).author.username, "mara");
    // The ghosts' messages were pushed to crier before mara's (one transaction stream, in order): none was relayed.
    const irc = net.ircFromCrier().map(ThreeNetworks.ircText);
    assert.ok(!irc.some((t) => t.includes("hello as a ghost from irc")), irc.join("\n"));
    assert.equal(net.discordFromCrier().filter((m) => m.content === "hello as a ghost from discord").length, 0);
  });

  it("a Matrix pill of a ghost pings the IRC nick, and the Discord user with allowed_mentions", async () => {
    await net.mara.sendHtml(
      net.room,
      "ivan (IRC): pill of a ghost g1",
      `<a href="https://matrix.to/#/${IVAN}">ivan (IRC)</a>: pill of a ghost g1`,
    );
    assert.equal(
      ThreeNetworks.ircText(await net.ivan.waitFor(/PRIVMSG #devel :.*g1/)),
      "ivan: <mara> pill of a ghost g1",
    );
    await net.mara.sendHtml(
      net.room,
      "dora: pill of a ghost g2",
      `<a href="https://matrix.to/#/${doraGhost}">dora</a>: pill of a ghost g2`,
    );
    const m = await net.waitDiscord((x) => x.content.endsWith("pill of a ghost g2"));
    assert.equal(m.content, `<@${net.dora.id}>: pill of a ghost g2`);
    const request = net.discord.rest.requests.find(
      (r) => r.method === "POST" && (r.body as { content?: string } | undefined)?.content === m.content,
    )?.body as { allowed_mentions?: unknown } | undefined;
    assert.deepEqual(request?.allowed_mentions, { parse: [], users: [net.dora.id] });
  });

  it("with membership relayed, an IRC person's join and part are their ghost joining and leaving", async () => {
    const PIA = "@crier_irc_net_pia:localhost";
    const pia = await net.ircPerson("pia");
    try {
      await waitUntil("pia's ghost joined", async () => (await net.mara.membership(net.room, PIA)) === "join", 30_000);
      assert.equal(await memberName(PIA), "pia (IRC)");
      pia.send(`PART ${CHANNEL} :bye`);
      await waitUntil("pia's ghost left", async () => (await net.mara.membership(net.room, PIA)) === "leave", 30_000);
      const lines = (await net.matrixFromCrier()).map((e) => String(e.content.body ?? ""));
      assert.ok(!lines.some((l) => l.startsWith("pia ")), `no notice line about pia: ${lines.join(" | ")}`);
    } finally {
      pia.close();
    }
  });

  it("/me from IRC is an emote by the ghost", async () => {
    net.ivan.say(CHANNEL, "\x01ACTION waves as a ghost\x01");
    const m = await net.waitMatrix((e) => e.content.body === "waves as a ghost");
    assert.equal(m.sender, IVAN);
    assert.equal(m.content.msgtype, "m.emote");
  });

  it("a Discord edit, reaction and delete come from the ghost of who made them", async () => {
    const said = net.discord.post(net.channelId, net.dora, "ghost words to edit");
    const copy = await net.waitMatrix((e) => e.content.body === "ghost words to edit");
    net.discord.edit(net.channelId, said.id, "ghost words edited");
    const edit = await net.waitMatrix(
      (e) => (e.content["m.new_content"] as { body?: string } | undefined)?.body === "ghost words edited",
    );
    assert.equal(edit.sender, doraGhost);
    assert.equal(edit.content["m.relates_to"]?.rel_type, "m.replace");
    assert.equal(edit.content["m.relates_to"]?.event_id, copy.event_id);

    const maraSays = await net.mara.sendText(net.room, "react to me from discord");
    const onDiscord = await net.waitDiscord((m) => m.content === "react to me from discord");
    net.discord.react(net.channelId, onDiscord.id, net.dora, "👍");
    const reaction = await net.mara
      .waitFor(net.room, (e) => e.type === "m.reaction" && e.content["m.relates_to"]?.event_id === maraSays)
      .then((h) => h[0]);
    assert.equal(reaction.sender, doraGhost);
    assert.equal(reaction.content["m.relates_to"].key, "👍");
    // A second person's same emoji on the same message is their own reaction, not folded into Dora's.
    net.discord.react(net.channelId, onDiscord.id, net.dmod, "👍");
    const both = await net.mara.waitFor(
      net.room,
      (e) => e.type === "m.reaction" && e.content["m.relates_to"]?.event_id === maraSays,
      2,
    );
    assert.deepEqual(both.map((e) => e.sender).sort(), [doraGhost, `@crier_discord_${net.dmod.id}:localhost`].sort());

    net.discord.remove(net.channelId, said.id);
    const redaction = await net.mara
      .waitFor(net.room, (e: RawEvent) => e.type === "m.room.redaction" && e.redacts === copy.event_id)
      .then((h) => h[0]);
    assert.equal(redaction.sender, doraGhost);
  });

  /** A transaction pushed to crier's listener the way the homeserver does. */
  const push = (txnId: string, body: unknown, token: string | undefined = net.asTokens!.hs_token) =>
    fetch(`http://127.0.0.1:${net.asPort}/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const maraEvent = (id: string, text: string) => ({
    events: [
      {
        type: "m.room.message",
        event_id: `$${id}`,
        room_id: net.room,
        sender: net.mara.userId,
        origin_server_ts: Date.now(),
        content: { msgtype: "m.text", body: text },
      },
    ],
  });

  it("answers a wrong hs_token with 403, none with 401, and takes nothing from them", async () => {
    const wrong = await push("t-bad", maraEvent("bad1", "pushed with a wrong token"), "not-the-token");
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { errcode: string }).errcode, "M_FORBIDDEN");
    const none = await push("t-none", maraEvent("bad2", "pushed without a token"), "");
    assert.equal(none.status, 401);
    const ok = await push("t-good", maraEvent("good1", "pushed with the right token"));
    assert.equal(ok.status, 200);
    await net.waitIrc((t) => t === "<mara> pushed with the right token");
    const irc = net.ircFromCrier().map(ThreeNetworks.ircText);
    assert.ok(!irc.some((t) => t.includes("wrong token") || t.includes("without a token")), irc.join("\n"));
  });

  it("answers the homeserver's ping (what crier asks for at start, so queued transactions come at once)", async () => {
    const res = await net.bot.request("POST", "/_matrix/client/v1/appservice/crier/ping", { transaction_id: "p1" });
    assert.equal(typeof res.duration_ms, "number");
  });

  it("takes a transaction once, also when pushed again after a restart", async () => {
    const once = maraEvent("once1", "the t-once transaction");
    assert.equal((await push("t-once", once)).status, 200);
    assert.equal((await push("t-once", once)).status, 200, "a retry is answered");
    await net.app!.close();
    await net.startApp();
    assert.equal((await push("t-once", once)).status, 200, "and answered after a restart too");
    // Synapse on SQLite numbers its transactions from 1 again after it restarts: a known id with new events is new.
    assert.equal((await push("t-once", maraEvent("reused1", "new events under a reused id"))).status, 200);
    await net.waitIrc((t) => t === "<mara> new events under a reused id");
    const irc = net.ircFromCrier().map(ThreeNetworks.ircText);
    assert.equal(irc.filter((t) => t === "<mara> the t-once transaction").length, 1);
  });

  it("keeps relaying after the restart, from the same ghosts", async () => {
    net.ivan.say(CHANNEL, "irc after the restart");
    const m = await net.waitMatrix((e) => e.content.body === "irc after the restart");
    assert.equal(m.sender, IVAN);
    // The invitation that let crier's bot in, pushed to crier after it joined, did not make it leave.
    assert.equal(await net.mara.membership(net.room, net.bot.userId), "join");
  });
});
