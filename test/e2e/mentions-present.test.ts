/**
 * Issue #18 "mentions for everyone present" and issue #15 attack 3 ("a Matrix user named boss shown on IRC like the
 * real boss"), through crier against InspIRCd, Synapse and the fake Discord. What is checked is what each network
 * itself reports: Synapse's notification API (highlight) for Matrix, the fake Discord's recorded `allowed_mentions`
 * and computed `mentions` for Discord, the raw line an IRC client receives for IRC.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FakeUser } from "../fake-discord/state.js";
import { waitUntil } from "../testbed/ports.js";
import type { RawIrcClient } from "../testbed/irc-client.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { CHANNEL, MATRIX, ThreeNetworks } from "./three/testbed.js";

describe("mentions of people present, and names that cannot pass for others (real servers)", () => {
  const net = new ThreeNetworks({ extra: { admins: ["irc.net:boss"] } });
  let alice: MatrixTestUser;
  let carol: RawIrcClient;
  let boss: RawIrcClient;
  let erin: FakeUser;
  const named = async (localpart: string, displayname: string) => {
    const u = await net.synapse.register(localpart);
    await u.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(u.userId)}/displayname`, { displayname });
    await u.join(net.room);
    return u;
  };
  before(async () => {
    await net.start();
    alice = await named("alice", "Alice Liddell");
    erin = net.discord.world.addUser("erin");
    await net.startApp();
    carol = await net.ircPerson("carol");
    boss = await net.ircPerson("boss");
  });
  after(async () => {
    carol?.close();
    boss?.close();
    await net.stop();
  });

  /** Whether Synapse counts the event as a highlight for `who` (GET /notifications). */
  const highlightedFor = async (who: MatrixTestUser, eventId: string) => {
    let hit: { actions: unknown[] } | undefined;
    await waitUntil(
      `a notification of ${eventId} for ${who.userId}`,
      async () => {
        const res = await who.request("GET", "/_matrix/client/v3/notifications?limit=50");
        hit = res.notifications.find((n: { event: { event_id: string } }) => n.event.event_id === eventId);
        return !!hit;
      },
      20_000,
    );
    return hit!.actions.some(
      (a) =>
        typeof a === "object" &&
        a &&
        (a as { set_tweak?: string }).set_tweak === "highlight" &&
        (a as { value?: boolean }).value !== false,
    );
  };
  /** Waits until crier's Matrix member list shows `mxid` under `name` (its sync runs on its own time). */
  const seenOnMatrix = (mxid: string, name: string) =>
    waitUntil(
      `crier sees ${mxid} as ${name}`,
      async () => {
        const members = await net.app!.app.ctx.adapters.get(MATRIX)!.members!(net.room);
        return !!members?.some((m) => m.user.id === mxid && m.user.name === name);
      },
      20_000,
    );
  /** The Discord REST request that created a message (what crier asked Discord to allow). */
  const discordRequest = (content: string) =>
    net.discord.rest.requests.find(
      (r) => r.method === "POST" && (r.body as { content?: string } | undefined)?.content === content,
    )?.body as { allowed_mentions?: { parse?: string[]; users?: string[] } } | undefined;
  /** Raw lines crier sent to the channel that `who` received. */
  const ircLine = async (who: RawIrcClient, tag: string) => {
    await who.waitFor(new RegExp(`PRIVMSG ${CHANNEL} :.*${tag}`));
    return ThreeNetworks.ircText(who.lines.find((l) => /^(@\S+ )?:crier_?!/.test(l) && l.includes(tag))!);
  };

  it('an IRC line "alice: hi" highlights alice on Matrix (pill, m.mentions, the notification API)', async () => {
    net.ivan.say(CHANNEL, "alice: hi there p1");
    const e = await net.waitMatrix((x) => String(x.content.body).endsWith("p1"));
    assert.deepEqual(e.content["m.mentions"], { user_ids: [alice.userId] });
    assert.match(
      String(e.content.formatted_body),
      /<a href="https:\/\/matrix.to\/#\/(@|%40)alice:localhost">alice<\/a>: hi there p1/,
    );
    assert.equal(await highlightedFor(alice, (e as unknown as { event_id: string }).event_id), true);
  });

  it("her display name and her Matrix id, typed on IRC, ping her too", async () => {
    net.ivan.say(CHANNEL, "Alice Liddell, look p2");
    net.ivan.say(CHANNEL, `see @${alice.userId.slice(1)} p3`);
    for (const tag of ["p2", "p3"]) {
      const e = await net.waitMatrix((x) => String(x.content.body).endsWith(tag));
      assert.deepEqual(e.content["m.mentions"], { user_ids: [alice.userId] }, tag);
    }
  });

  it("a Matrix pill of carol (on IRC) arrives on IRC beginning with carol:, and so does typed text", async () => {
    await net.mara.sendHtml(
      net.room,
      "carol: pill p4",
      '<a href="https://matrix.to/#/@carol:localhost">carol</a>: pill p4',
    );
    assert.equal(await ircLine(carol, "p4"), "carol: <mara> pill p4");
    await net.mara.sendText(net.room, "carol, typed p5");
    assert.equal(await ircLine(carol, "p5"), "carol: <mara> typed p5");
  });

  it("IRC and Discord: a unique address becomes <@id> allowed in allowed_mentions; Discord to IRC leads with the nick", async () => {
    net.ivan.say(CHANNEL, "erin: ping p6");
    const m = await net.waitDiscord((x) => x.content.endsWith("p6"));
    assert.equal(m.content, `<@${erin.id}>: ping p6`);
    assert.deepEqual(discordRequest(m.content)?.allowed_mentions, { parse: [], users: [erin.id] });
    assert.deepEqual(
      m.mentions.map((u) => u.id),
      [erin.id],
    );
    net.discord.post(net.channelId, net.dora, "carol: from discord p7");
    assert.equal(await ircLine(carol, "p7"), "carol: <dora> from discord p7");
  });

  it("unknown and ambiguous names stay plain text, and nobody is pinged", async () => {
    net.ivan.say(CHANNEL, "nobody: hi p8");
    const e8 = await net.waitMatrix((x) => String(x.content.body).endsWith("p8"));
    assert.deepEqual(e8.content["m.mentions"], {});
    // A second "erin" on Matrix: "erin" now means two people.
    const twin = await named("erin2", "Erin");
    await seenOnMatrix(twin.userId, "Erin");
    net.ivan.say(CHANNEL, "erin: who? p9");
    const d9 = await net.waitDiscord((x) => x.content.endsWith("p9"));
    assert.equal(d9.content, "erin: who? p9");
    assert.deepEqual(d9.mentions, []);
    const e9 = await net.waitMatrix((x) => String(x.content.body).endsWith("p9"));
    assert.deepEqual(e9.content["m.mentions"], {});
    await twin.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(net.room)}/leave`, {});
  });

  it("attack 3: a Matrix user named boss is shown on IRC apart from the real boss (an admin), who keeps the name", async () => {
    const fake = await named("notboss", "boss");
    await fake.sendText(net.room, "i am the boss a3");
    const line = await ircLine(net.ivan, "a3");
    assert.equal(line, `<boss (${fake.userId})> i am the boss a3`);
    boss.say(CHANNEL, "the real one a4");
    const e = await net.waitMatrix((x) => String(x.content.body).endsWith("a4"));
    assert.equal(String(e.content.body), "boss: the real one a4");
    assert.equal((await net.waitDiscord((x) => x.content === "the real one a4")).author.username, "boss");
    // Its confusable (Cyrillic о) and its case twin are told apart as well.
    const cyr = await named("notboss2", "b\u043ess");
    await cyr.sendText(net.room, "lookalike a5");
    assert.equal(await ircLine(net.ivan, "a5"), `<b\u043ess (${cyr.userId})> lookalike a5`);
    const twin = await named("notboss3", "BOSS");
    await twin.sendText(net.room, "twin a6");
    assert.equal((await net.waitDiscord((x) => x.content === "twin a6")).author.username, `BOSS (${twin.userId})`);
  });

  it("when a clash ends the plain name comes back, without the innocent party having to speak first", async () => {
    const dup = await named("dup", "carol");
    await dup.sendText(net.room, "i am carol c1");
    assert.equal(await ircLine(net.ivan, "c1"), `<carol (${dup.userId})> i am carol c1`);
    carol.say(CHANNEL, "the real carol c2");
    assert.equal(
      String((await net.waitMatrix((x) => String(x.content.body).endsWith("c2"))).content.body),
      "carol (irc.net): the real carol c2",
    );
    // The impostor takes another name (and says nothing): the next line of the real carol is plain again.
    await dup.request("PUT", `/_matrix/client/v3/profile/${encodeURIComponent(dup.userId)}/displayname`, {
      displayname: "dupe",
    });
    await seenOnMatrix(dup.userId, "dupe");
    carol.say(CHANNEL, "plain again c3");
    assert.equal(
      String((await net.waitMatrix((x) => String(x.content.body).endsWith("c3"))).content.body),
      "carol: plain again c3",
    );
  });
});
