/**
 * Issue #19's ghosts for people, on the real servers: Synapse loading crier's registration, InspIRCd with Atheme
 * services (real accounts: the account, not the nick, is who someone is on IRC) and the fake Discord. An IRC
 * account and a Discord user linked in crier (!link-identity) speak from one Matrix user; what they said before the
 * link stays with the ghost that said it (edits and deletes come from it); their Matrix account linked too is never
 * echoed back; an IRC nick change shows on the ghost's display name before its owner speaks again, a flood of them
 * costs a bounded number of profile updates, and a nick without an account is a new ghost under the new nick.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FakeUser } from "../fake-discord/state.js";
import { registerAccount } from "../testbed/atheme.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";
import type { RawEvent } from "../testbed/synapse-client.js";
import { CHANNEL, DISCORD, MATRIX, ThreeNetworks } from "./three/testbed.js";

const CAPS = ["server-time", "message-tags", "account-tag", "extended-join", "account-notify"];
const ALBA = "@crier_irc_net_alba:localhost";
const PERSON = /^@crier_person_[0-9a-f]{20}:localhost$/;
/** RenameThrottle's window (src/relay/renames.ts). */
const RENAME_WINDOW_MS = 10_000;

describe("Matrix ghosts for people: linked identities, renames (issue #19)", () => {
  const net = new ThreeNetworks({ matrixAppservice: true, ircServices: true });
  let alba: RawIrcClient;
  let albaD: FakeUser;
  let albaGhostD: string;
  let person: string;
  /** Albad's Discord message from before the link. */
  let early: { id: string };
  const clients: RawIrcClient[] = [];

  before(async () => {
    await net.start();
    await net.startApp();
    alba = new RawIrcClient("alba", net.irc.port, CAPS);
    clients.push(alba);
    await alba.connect();
    await registerAccount(alba, "alba-secret-pw");
    await alba.join(CHANNEL);
    albaD = net.discord.world.addUser("albad");
    albaGhostD = `@crier_discord_${albaD.id}:localhost`;
  });
  after(async () => {
    for (const c of clients) c.close();
    await net.stop();
  });

  const profileName = (userId: string) => net.profileName(userId);
  const memberName = (userId: string) => net.memberName(userId);
  const said = (body: string) => net.waitMatrix((e) => e.type === "m.room.message" && e.content.body === body);
  /** crier's private answer to an IRC client (a NOTICE or PRIVMSG to its nick) matching `re`. */
  async function askPrivately(c: RawIrcClient, text: string, re: RegExp): Promise<string> {
    const from = c.lines.length;
    c.say("crier", text);
    const answer = () =>
      c.lines
        .slice(from)
        .filter((l) => /^(@\S+ )?:crier!\S+ (NOTICE|PRIVMSG) /.test(l))
        .map((l) => l.replace(/^(@\S+ )?:\S+ (NOTICE|PRIVMSG) \S+ :/, ""))
        .find((t) => re.test(t));
    await waitUntil(`crier to answer ${c.nick} with ${re}`, () => answer() !== undefined, 20_000);
    return answer()!;
  }
  /** A link code asked for on Discord (a slash command's private reply). */
  async function discordCode(who: FakeUser): Promise<string> {
    const replies = await net.discord.interact(net.channelId, who, "link-identity", [{ name: "args", value: "" }]);
    const code = /link-identity ([A-Z0-9]{8})/.exec(JSON.stringify(replies))?.[1];
    assert.ok(code, JSON.stringify(replies));
    return code;
  }

  it("before a link, the IRC account and the Discord user are two ghosts", async () => {
    alba.say(CHANNEL, "alba on irc before the link");
    assert.equal((await said("alba on irc before the link")).sender, ALBA);
    assert.equal(await profileName(ALBA), "alba (IRC)");
    early = net.discord.post(net.channelId, albaD, "albad on discord before the link");
    assert.equal((await said("albad on discord before the link")).sender, albaGhostD);
  });

  it("once linked in crier, the person's messages from IRC and from Discord come from one Matrix user", async () => {
    const code = await discordCode(albaD);
    assert.match(await askPrivately(alba, `!link-identity ${code}`, /linked: /), /now one person/);

    alba.say(CHANNEL, "alba on irc after the link");
    const fromIrc = await said("alba on irc after the link");
    assert.match(fromIrc.sender, PERSON);
    person = fromIrc.sender;
    assert.equal(fromIrc.content.formatted_body, "alba on irc after the link", "no name in front");
    assert.equal(await profileName(person), "alba");
    assert.equal(await memberName(person), "alba", "joined the room under the person's name");

    net.discord.post(net.channelId, albaD, "albad on discord after the link");
    const fromDiscord = await said("albad on discord after the link");
    assert.equal(fromDiscord.sender, person, "the same Matrix user from Discord");
    await waitUntil("the person ghost named as on Discord", async () => (await profileName(person)) === "albad");

    // Each still reaches the other platform under their own name there.
    await net.waitIrc((t) => t === "<albad> albad on discord after the link");
    await net.waitDiscord((m) => m.content === "alba on irc after the link");
    // Someone unlinked keeps their own ghost.
    net.discord.post(net.channelId, net.dora, "dora is nobody's person");
    assert.equal((await said("dora is nobody's person")).sender, `@crier_discord_${net.dora.id}:localhost`);
  });

  it("what the person said before the link is still edited and deleted by the ghost that said it", async () => {
    const before = await said("albad on discord before the link");
    net.discord.edit(net.channelId, early.id, "albad on discord before the link, edited");
    const edit = await net.waitMatrix(
      (e) => (e.content["m.new_content"] as { body?: string } | undefined)?.body?.endsWith(", edited") === true,
    );
    assert.equal(edit.sender, albaGhostD);
    assert.equal(edit.content["m.relates_to"]?.event_id, before.event_id);
    net.discord.remove(net.channelId, early.id);
    const redaction = await net.mara
      .waitFor(net.room, (e: RawEvent) => e.type === "m.room.redaction" && e.redacts === before.event_id)
      .then((h) => h[0]);
    assert.equal(redaction.sender, albaGhostD);
  });

  it("with their Matrix account linked too, what they say on Matrix is never echoed back by a ghost", async () => {
    const code = await discordCode(albaD);
    const { identity } = net.app!.app.ctx;
    const albaPerson = await identity.personId({ account: DISCORD, id: albaD.id });
    await net.mara.sendText(net.room, `!link-identity ${code}`);
    await waitUntil(
      "mara linked to alba's person",
      async () => (await identity.personId({ account: MATRIX, id: net.mara.userId })) === albaPerson,
    );
    await net.mara.sendText(net.room, "words from the linked matrix account");
    await net.waitIrc((t) => t === "<mara> words from the linked matrix account");
    await net.waitDiscord((m) => m.content === "words from the linked matrix account");
    // Later IRC words of the person arrive after it in the room's order; nothing of mara's came back before them.
    alba.say(CHANNEL, "alba after mara linked");
    assert.equal((await said("alba after mara linked")).sender, person);
    const echoes = (await net.matrixFromCrier()).filter(
      (e) => e.content.body === "words from the linked matrix account",
    );
    assert.deepEqual(echoes, []);
  });

  it("an IRC nick change renames the person's ghost before they speak again", async () => {
    const from = alba.lines.length;
    alba.send("NICK albatross");
    await alba.waitFor(/:alba!\S+ NICK :?albatross/);
    await waitUntil("the ghost renamed", async () => (await memberName(person)) === "albatross", 20_000);
    assert.equal(await profileName(person), "albatross");
    assert.ok(
      !alba.lines.slice(from).some((l) => / PRIVMSG #devel :/.test(l) && /^(@\S+ )?:albatross!/.test(l)),
      "alba said nothing",
    );
    alba.say(CHANNEL, "albatross speaks");
    assert.equal((await said("albatross speaks")).sender, person, "the same ghost under the new nick");
  });

  it("a flood of nick changes ends at the last nick with a bounded number of profile updates", async () => {
    const start = Date.now();
    const nicks = Array.from({ length: 20 }, (_, i) => `alb${i}`);
    for (const n of nicks) alba.send(`NICK ${n}`);
    await alba.waitFor(new RegExp(`NICK :?${nicks.at(-1)}`), 60_000);
    const floodMs = Date.now() - start;
    await waitUntil("the ghost at the last nick", async () => (await memberName(person)) === nicks.at(-1), 40_000);
    const updates = (await net.mara.messages(net.room, 200)).filter(
      (e) =>
        e.type === "m.room.member" &&
        e.state_key === person &&
        (e.origin_server_ts ?? 0) >= start &&
        nicks.includes(String(e.content.displayname)),
    );
    // One at once, then at most one per window while the flood lasts, and the last one when it closes.
    const bound = 2 + Math.ceil(floodMs / RENAME_WINDOW_MS);
    assert.ok(updates.length <= bound, `${updates.length} updates for 20 nick changes in ${floodMs} ms (≤ ${bound})`);
    assert.ok(updates.length < nicks.length);
  });

  it("a nick without an account is a new ghost under the new nick; the old one keeps its name", async () => {
    const guest = new RawIrcClient("gust", net.irc.port, CAPS);
    clients.push(guest);
    await guest.connect();
    await guest.join(CHANNEL);
    guest.say(CHANNEL, "gust without an account");
    const first = await said("gust without an account");
    assert.equal(first.sender, "@crier_irc_net_=7egust:localhost");
    guest.send("NICK gusty");
    await guest.waitFor(/:gust!\S+ NICK :?gusty/);
    guest.say(CHANNEL, "gusty without an account");
    const second = await said("gusty without an account");
    assert.equal(second.sender, "@crier_irc_net_=7egusty:localhost");
    assert.equal(await profileName(first.sender), "gust (IRC)", "whoever takes the nick gust next is relayed by it");
  });
});
