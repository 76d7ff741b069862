/**
 * One link across a real InspIRCd channel, a real Synapse room and a fake Discord channel: messages, /me,
 * formatting, mentions, edits, replies and deletes made on each platform show up correctly on the other two (as far
 * as each platform has the feature: IRC has no edit or delete, so none is made there).
 *
 * The same suite runs with crier's Matrix account in each mode (three-platform.test.ts, three-platform-appservice
 * .test.ts): as a bot, an IRC or Discord person's words come from crier's one Matrix user under a `name:` prefix; as
 * an application service, from that person's own ghost user, named after them, with no prefix.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitUntil } from "../../testbed/ports.js";
import { CHANNEL, DISCORD, GHOST_PREFIX, MATRIX, ThreeNetworks } from "./testbed.js";

export type MatrixMode = "bot" | "appservice";

/** Who a relayed person is on Matrix: in appservice mode their ghost's id and display name. */
interface RelayedPerson {
  /** The name other platforms show (and bot mode's prefix). */
  name: string;
  ghost: () => string;
  ghostName: string;
}

export function relaySuite(mode: MatrixMode): void {
  const appservice = mode === "appservice";
  describe(`relay across IRC, Matrix and Discord (one link, Matrix ${mode === "bot" ? "as a bot" : "as an application service"})`, () => {
    const net = new ThreeNetworks({ matrixAppservice: appservice });
    before(async () => {
      await net.start();
      await net.startApp();
    });
    after(() => net.stop());

    const ivan: RelayedPerson = {
      name: "ivan",
      ghost: () => `${GHOST_PREFIX}irc_net_ivan:localhost`,
      ghostName: "ivan (IRC)",
    };
    const dora: RelayedPerson = {
      name: "dora",
      ghost: () => `${GHOST_PREFIX}discord_${net.dora.id}:localhost`,
      ghostName: "dora",
    };
    /** The Matrix user a relayed person's messages, edits, reactions and deletes come from. */
    const senderOf = (who: RelayedPerson) => (appservice ? who.ghost() : net.bot.userId);
    const profileName = (userId: string) => net.profileName(userId);
    const memberName = (userId: string) => net.memberName(userId);

    /**
     * A plain relayed message as this mode shows it: as a bot, from crier's user under the bold `name:` prefix; as an
     * application service, from the person's ghost (named after them, in the room under that name) without a prefix.
     */
    const assertRelayedPlain = async (
      e: { sender: string; content: Record<string, unknown> },
      who: RelayedPerson,
      words: string,
    ) => {
      assert.equal(e.sender, senderOf(who));
      if (!appservice) {
        assert.equal(e.content.formatted_body, `<strong>${who.name}</strong>: ${words}`);
        return;
      }
      assert.equal(e.content.body, words, "no name prefix");
      assert.equal(e.content.formatted_body, words, "no name prefix");
      assert.equal(await profileName(e.sender), who.ghostName);
      assert.equal(await memberName(e.sender), who.ghostName, "the ghost joined the room under its name");
    };

    it("a plain message from each platform appears on the other two under its sender's name", async () => {
      net.ivan.say(CHANNEL, "hello from irc");
      const fromIvanM = await net.waitMatrix((e) => String(e.content.body).includes("hello from irc"));
      assert.equal(fromIvanM.content.msgtype, "m.text");
      await assertRelayedPlain(fromIvanM, ivan, "hello from irc");
      const fromIvanD = await net.waitDiscord((m) => m.content === "hello from irc");
      assert.equal(fromIvanD.author.username, "ivan");
      assert.ok(fromIvanD.webhook_id);

      await net.mara.sendText(net.room, "hello from matrix");
      assert.equal(await text(net.waitIrc((t) => t.includes("hello from matrix"))), "<mara> hello from matrix");
      assert.equal((await net.waitDiscord((m) => m.content === "hello from matrix")).author.username, "mara");

      net.discord.post(net.channelId, net.dora, "hello from discord");
      assert.equal(await text(net.waitIrc((t) => t.includes("hello from discord"))), "<dora> hello from discord");
      const fromDoraM = await net.waitMatrix((e) => String(e.content.body).includes("hello from discord"));
      await assertRelayedPlain(fromDoraM, dora, "hello from discord");
      if (appservice) assert.notEqual(fromDoraM.sender, fromIvanM.sender, "each person is a Matrix user of their own");
    });

    it("/me from IRC and Matrix is an action on the others", async () => {
      net.ivan.say(CHANNEL, "\x01ACTION waves from irc\x01");
      const m = await net.waitMatrix((e) => String(e.content.body).includes("waves from irc"));
      assert.equal(m.content.msgtype, "m.emote");
      assert.equal(m.sender, senderOf(ivan));
      // As a bot the emote names who acts; a ghost's emote is its own (Matrix shows "* ivan (IRC) waves…").
      assert.equal(m.content.body, appservice ? "waves from irc" : "ivan waves from irc");
      const d = await net.waitDiscord((x) => x.content.includes("waves from irc"));
      assert.match(d.content, /^_.*waves from irc_$|^\*.*waves from irc\*$/);

      await net.mara.send(net.room, { msgtype: "m.emote", body: "nods from matrix" });
      assert.equal(await text(net.waitIrc((t) => t.includes("nods from matrix"))), "* mara nods from matrix");
      const d2 = await net.waitDiscord((x) => x.content.includes("nods from matrix"));
      assert.match(d2.content, /^_.*nods from matrix_$|^\*.*nods from matrix\*$/);
    });

    it("formatting is carried over in each platform's own markup", async () => {
      net.ivan.say(CHANNEL, "fmt-irc \x02bold\x02 and \x1ditalic\x1d");
      const m = await net.waitMatrix((e) => String(e.content.body).includes("fmt-irc"));
      assert.match(String(m.content.formatted_body), /<strong>bold<\/strong> and <em>italic<\/em>/);
      assert.equal(m.sender, senderOf(ivan));
      const d = await net.waitDiscord((x) => x.content.startsWith("fmt-irc"));
      assert.match(d.content, /\*\*bold\*\* and (\*italic\*|_italic_)/);

      await net.mara.sendHtml(net.room, "fmt-mx b c", "fmt-mx <strong>b</strong> <code>c</code>");
      const line = await net.waitIrc((t) => t.includes("fmt-mx"));
      assert.match(line, /\x02b\x02/);
      const d2 = await net.waitDiscord((x) => x.content.startsWith("fmt-mx"));
      assert.match(d2.content, /\*\*b\*\* `c`/);

      net.discord.post(net.channelId, net.dora, "fmt-dc **strong** and ~~gone~~");
      const line2 = await net.waitIrc((t) => t.includes("fmt-dc"));
      assert.match(line2, /\x02strong\x02/);
      const m2 = await net.waitMatrix((e) => String(e.content.body).includes("fmt-dc"));
      assert.match(String(m2.content.formatted_body), /<strong>strong<\/strong> and <(del|s)>gone<\/(del|s)>/);
      assert.equal(m2.sender, senderOf(dora));
      if (appservice) assert.match(String(m2.content.formatted_body), /^fmt-dc /, "no name prefix");
    });

    it("a mention of a person known in the link is translated; mass mentions ping no one", async () => {
      const maraOnDiscord = net.discord.world.addUser("mara_d");
      await net.app!.app.ctx.identity.link(`${MATRIX}:${net.mara.userId}`, `${DISCORD}:${maraOnDiscord.id}`);
      net.discord.post(net.channelId, net.dora, `ping <@${maraOnDiscord.id}> please look`);
      const m = await net.waitMatrix((e) => String(e.content.body).includes("please look"));
      assert.deepEqual((m.content["m.mentions"] as { user_ids?: string[] }).user_ids, [net.mara.userId]);
      assert.match(String(m.content.formatted_body), /href="https:\/\/matrix.to\/#\/(@|%40)mara:localhost"/);
      assert.match(await text(net.waitIrc((t) => t.includes("please look"))), /mara_d please look/);

      await net.mara.sendText(net.room, "mass @room @everyone @here now");
      const d = await net.waitDiscord((x) => x.content.includes("now") && x.content.startsWith("mass"));
      assert.equal(d.mention_everyone, false);
      assert.deepEqual(d.mentions, []);
      net.ivan.say(CHANNEL, "irc says @room and @everyone too");
      const m2 = await net.waitMatrix((e) => String(e.content.body).includes("irc says"));
      assert.equal((m2.content["m.mentions"] as { room?: boolean } | undefined)?.room, undefined);
      assert.doesNotMatch(String(m2.content.body), /@room/);
    });

    it("an edit on Matrix or Discord is an edit on the other and a correction line on IRC", async () => {
      const id = await net.mara.sendText(net.room, "edit-mx first draft");
      const copy = await net.waitDiscord((x) => x.content === "edit-mx first draft");
      await net.mara.edit(net.room, id, "edit-mx final words");
      await net.waitDiscord((x) => x.id === copy.id && x.content === "edit-mx final words");
      assert.ok(copy.edited_timestamp);
      assert.match(await text(net.waitIrc((t) => t.includes("edit-mx final words"))), /\(edit\) edit-mx final words/);

      const dm = net.discord.post(net.channelId, net.dora, "edit-dc first draft");
      const mcopy = await net.waitMatrix((e) => String(e.content.body).includes("edit-dc first draft"));
      net.discord.edit(net.channelId, dm.id, "edit-dc final words");
      const medit = await net.waitMatrix(
        (e) =>
          (e.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined)?.event_id ===
          mcopy.event_id,
      );
      assert.equal((medit.content["m.relates_to"] as { rel_type: string }).rel_type, "m.replace");
      assert.equal(medit.sender, senderOf(dora), "the edit comes from whoever sent the copy");
      assert.equal(mcopy.sender, senderOf(dora));
      assert.match(String((medit.content["m.new_content"] as { body: string }).body), /edit-dc final words/);
      await net.waitIrc((t) => t.includes("(edit) edit-dc final words"));
    });

    it("a reply on each platform points at the right message on the others", async () => {
      // Matrix replies to Dora's message as relayed into Matrix: Discord gets a reply to Dora's own message.
      const dm = net.discord.post(net.channelId, net.dora, "reply-target from discord");
      const mcopy = await net.waitMatrix((e) => String(e.content.body).includes("reply-target from discord"));
      await net.mara.reply(net.room, mcopy.event_id as string, "reply-mx answering dora");
      // Discord lets no webhook send a native reply: the copy quotes what it answers and links to it.
      const d = await net.waitDiscord((x) => x.content.includes("reply-mx answering dora"));
      assert.equal(d.author.username, "mara");
      assert.match(
        d.content,
        /^> \*\*dora\*\*: reply-target from discord https:\/\/discord\.com\/channels\/\d+\/\d+\/(\d+)\n/,
      );
      assert.ok(d.content.includes(`/${dm.id}\n`), d.content);
      // IRC has no replies: the answer comes after a quoted line naming what it answers.
      await net.waitIrc((t) => t.includes("reply-mx answering dora"));
      const lines = net.ircFromCrier().map(ThreeNetworks.ircText);
      const at = lines.findIndex((l) => l.includes("reply-mx answering dora"));
      assert.match(lines[at - 1], /^<mara> > dora: reply-target from discord$/);

      // Discord replies to Ivan's message as relayed into Discord: Matrix gets m.in_reply_to of crier's copy.
      net.ivan.say(CHANNEL, "reply-target from irc");
      const ivanOnDiscord = await net.waitDiscord((x) => x.content === "reply-target from irc");
      const ivanOnMatrix = await net.waitMatrix((e) => String(e.content.body).includes("reply-target from irc"));
      net.discord.post(net.channelId, net.dora, "reply-dc answering ivan", {
        message_reference: {
          message_id: ivanOnDiscord.id,
          channel_id: net.channelId,
          guild_id: net.discord.world.guildId,
        },
      });
      const m = await net.waitMatrix((e) => String(e.content.body).includes("reply-dc answering ivan"));
      const rel = m.content["m.relates_to"] as { "m.in_reply_to"?: { event_id: string } };
      assert.equal(rel?.["m.in_reply_to"]?.event_id, ivanOnMatrix.event_id);

      // IRC replies with the IRCv3 +draft/reply tag to Mara's line as relayed into IRC.
      const maraId = await net.mara.sendText(net.room, "reply-target from matrix");
      const maraOnIrc = await net.waitIrc((t) => t.includes("reply-target from matrix"));
      const msgid = /(?:^@|;)msgid=([^;\s]+)/.exec(maraOnIrc)?.[1];
      assert.ok(msgid, `the server tags crier's line with a msgid: ${maraOnIrc}`);
      // Ivan answers once the copy is on Discord too: a reply to a copy still on its way has nothing to link to yet.
      const maraOnDiscord = await net.waitDiscord((x) => x.content === "reply-target from matrix");
      net.ivan.send(`@+draft/reply=${msgid} PRIVMSG ${CHANNEL} :reply-irc answering mara`);
      const m2 = await net.waitMatrix((e) => String(e.content.body).includes("reply-irc answering mara"));
      const rel2 = m2.content["m.relates_to"] as { "m.in_reply_to"?: { event_id: string } };
      assert.equal(rel2?.["m.in_reply_to"]?.event_id, maraId);
      const d2 = await net.waitDiscord((x) => x.content.includes("reply-irc answering mara"));
      assert.ok(d2.content.includes(`/${maraOnDiscord.id}\n`), d2.content);
    });

    it("a reaction on Matrix or Discord is a reaction on the other, on the right message", async () => {
      const dm = net.discord.post(net.channelId, net.dora, "react-target from discord");
      const mcopy = await net.waitMatrix((e) => String(e.content.body).includes("react-target from discord"));
      await net.mara.react(net.room, mcopy.event_id as string, "👍");
      await waitUntil("the reaction on Dora's message", () =>
        net.discord.world.reactions.some((r) => r.messageId === dm.id && r.emoji === "👍"),
      );

      const mid = await net.mara.sendText(net.room, "react-target from matrix");
      const dcopy = await net.waitDiscord((x) => x.content === "react-target from matrix");
      net.discord.react(net.channelId, dcopy.id, net.dora, "🎉");
      const [r] = await net.mara.waitFor(net.room, (e) => e.type === "m.reaction" && e.sender === senderOf(dora));
      assert.deepEqual(r.content["m.relates_to"], { rel_type: "m.annotation", event_id: mid, key: "🎉" });
    });

    it("a delete on Matrix or Discord removes the copy on the other", async () => {
      const id = await net.mara.sendText(net.room, "delete-mx soon gone");
      const copy = await net.waitDiscord((x) => x.content === "delete-mx soon gone");
      await net.mara.redact(net.room, id);
      await waitGone(() => net.discordFromCrier().some((x) => x.id === copy.id));

      const dm = net.discord.post(net.channelId, net.dora, "delete-dc soon gone");
      const mcopy = await net.waitMatrix((e) => String(e.content.body).includes("delete-dc soon gone"));
      net.discord.remove(net.channelId, dm.id);
      const [redaction] = await net.mara.waitFor(
        net.room,
        (e) => e.type === "m.room.redaction" && e.redacts === mcopy.event_id,
      );
      assert.equal(redaction.sender, senderOf(dora));
    });
  });
}

async function text(line: Promise<string>): Promise<string> {
  return ThreeNetworks.ircText(await line);
}

async function waitGone(present: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (present()) {
    if (Date.now() > end) throw new Error("timed out waiting for the copy to be deleted");
    await new Promise((r) => setTimeout(r, 50));
  }
}
