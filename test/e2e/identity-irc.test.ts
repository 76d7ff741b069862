/**
 * Issue #15, "admin by nick", on the real servers: InspIRCd with Atheme services linked (real NickServ accounts,
 * account-tag, extended-join, account-notify), Synapse and the fake Discord. The admin is the services account
 * `boss` (`admins: ["irc.net:boss"]`), not whoever holds the nick. Each attack from the issue is rerun: taking the
 * nick while the admin is away, lookalike nicks, an account named like someone else's nick, !link-identity from a
 * user without an account, and the Matrix/Discord side of the link-identity attack. The logged-in admin still
 * administers, under any nick.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FakeUser } from "../fake-discord/state.js";
import { identify, registerAccount } from "../testbed/atheme.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { Answers } from "./three/answers.js";
import { CHANNEL, DISCORD, IRC, ThreeNetworks } from "./three/testbed.js";

const CAPS = ["server-time", "message-tags", "account-tag", "extended-join", "account-notify"];
const PASSWORD = "boss-secret-pw";
const REFUSED = /only admins may use !link/;

describe("IRC identity is the services account (issue #15, admin by nick)", () => {
  const net = new ThreeNetworks({ ircServices: true, extra: { admins: [`${IRC}:boss`] } });
  let say: Answers;
  let mal: MatrixTestUser;
  let malD: FakeUser;
  const clients: RawIrcClient[] = [];

  /** Someone on IRC in #devel, not logged in. */
  async function person(nick: string): Promise<RawIrcClient> {
    const c = new RawIrcClient(nick, net.irc.port, CAPS);
    clients.push(c);
    await c.connect();
    await c.join(CHANNEL);
    return c;
  }

  /** Says `text` (in #devel, or to `to`) and waits for crier's answer to this client, public or private. */
  async function ask(c: RawIrcClient, text: string, re: RegExp, to = CHANNEL): Promise<string> {
    const from = c.lines.length;
    c.say(to, text);
    const answers = () =>
      c.lines
        .slice(from)
        .filter((l) => /^(@\S+ )?:crier!\S+ (NOTICE|PRIVMSG) /.test(l))
        .map((l) => l.replace(/^(@\S+ )?:\S+ (NOTICE|PRIVMSG) \S+ :/, ""));
    try {
      await waitUntil(`crier to answer ${c.nick} with ${re}`, () => answers().some((a) => re.test(a)), 20_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; crier said to ${c.nick}: ${JSON.stringify(answers().slice(-6))}`);
    }
    return answers().find((a) => re.test(a))!;
  }

  /** Quits and waits until the server has let go of the nick (`nick`: the one it has now). */
  async function leave(c: RawIrcClient, nick = c.nick): Promise<void> {
    const from = net.ivan.lines.length;
    const quit = new RegExp(`^(@\\S+ )?:${nick.replace(/[|[\]\\^{}]/g, "\\$&")}!\\S+ QUIT`);
    c.close();
    await waitUntil(`${nick} to quit`, () => net.ivan.lines.slice(from).some((l) => quit.test(l)));
  }

  before(async () => {
    await net.start();
    // The admin registers the account boss, then goes away: the nick is free for anyone.
    const boss = new RawIrcClient("boss", net.irc.port, CAPS);
    await boss.connect();
    await registerAccount(boss, PASSWORD);
    boss.close();
    await net.startApp();
    say = new Answers(net);
    mal = await net.synapse.register("mal");
    await mal.join(net.room);
    malD = net.discord.world.addUser("mal_d");
  });
  after(async () => {
    for (const c of clients) c.close();
    await net.stop();
  });

  it("a nick taken while the admin is away cannot run !link pause, and is known as ~boss", async () => {
    const fake = await person("boss");
    assert.match(await ask(fake, "!link pause devel", REFUSED), REFUSED);
    assert.match(await ask(fake, "!link pause devel", REFUSED, "crier"), REFUSED, "nor in a private message");
    assert.match(await ask(fake, "!whoami", /you are /), new RegExp(`you are ${IRC}:~boss;`));
    // The link still runs.
    const mark = say.mark();
    fake.say(CHANNEL, "still relayed");
    await say.onMatrix(mark, /still relayed/);
    await leave(fake);
  });

  it("lookalike nicks of the admin get no admin rights", async () => {
    for (const nick of ["BOSS", "boss_", "b0ss", "boss|away"]) {
      const look = await person(nick);
      assert.match(await ask(look, "!link pause devel", REFUSED), REFUSED, nick);
      await leave(look);
    }
  });

  it("an account named like someone else's nick is a different identity from that nick", async () => {
    // kim registers the account kim and moves to another nick; someone else then takes the nick kim.
    const owner = await person("kim");
    await registerAccount(owner, "kim-secret-pw");
    owner.send("NICK kim_owner");
    await owner.waitFor(/:kim!\S+ NICK :?kim_owner/);
    const other = await person("kim");
    assert.match(await ask(owner, "!tz set Asia/Tokyo", /Asia\/Tokyo/), /your zone is now/);
    assert.match(await ask(owner, "!whoami", /you are /), new RegExp(`you are ${IRC}:kim; zone: Asia/Tokyo`));
    assert.match(await ask(other, "!whoami", /you are /), new RegExp(`you are ${IRC}:~kim; zone: not set`));
    await leave(other);
    await leave(owner, "kim_owner");
  });

  it("!link-identity from a user without an account is refused with the reason, and no code is given", async () => {
    const fake = await person("boss");
    const answer = await ask(fake, "!link-identity", /not logged in/);
    assert.match(answer, /not logged in to a services account .* log in/);
    assert.match(await ask(fake, "!link-identity ABCDEFGH", /not logged in/, "crier"), /not logged in/);
    assert.ok(!fake.lines.some((l) => /link-identity [A-Z0-9]{8}/.test(l)), "no code was handed out");
    await leave(fake);
  });

  it("the link-identity attack from Matrix and Discord gains no admin rights", async () => {
    // The attack: a code asked for as the nick boss, said from Matrix. No such code exists now.
    const fake = await person("boss");
    await ask(fake, "!link-identity", /not logged in/);
    assert.match(await say.matrix(mal, "!link-identity ABCDEFGH", /unknown or has expired/), /unknown/);
    assert.match(await say.matrix(mal, "!link pause devel", REFUSED), REFUSED);
    // The other way round: a code asked for on Discord, said by the nick boss.
    const replies = await net.discord.interact(net.channelId, malD, "link-identity", [{ name: "args", value: "" }]);
    const code = /link-identity ([A-Z0-9]{8})/.exec(JSON.stringify(replies))?.[1];
    assert.ok(code, JSON.stringify(replies));
    assert.match(await ask(fake, `!link-identity ${code}`, /not logged in/, "crier"), /not logged in/);
    assert.match(await say.discord(malD, "!link pause devel", REFUSED), REFUSED);
    assert.match(await say.discord(malD, "!whoami", /you are /), new RegExp(`you are ${DISCORD}:${malD.id}; zone`));
    await leave(fake);
  });

  it("a user without an account keeps no zone across a nick change", async () => {
    const guest = await person("gus");
    assert.match(await ask(guest, "!tz set Europe/Paris", /Europe\/Paris/), /your zone is now/);
    guest.send("NICK gus2");
    await guest.waitFor(/:gus!\S+ NICK :?gus2/);
    assert.match(await ask(guest, "!whoami", /you are /), new RegExp(`you are ${IRC}:~gus2; zone: not set`));
    await leave(guest, "gus2");
  });

  it("the logged-in admin runs admin commands under any nick, and after a nick change", async () => {
    const admin = await person("chief");
    await identify(admin, "boss", PASSWORD);
    assert.match(await ask(admin, "!whoami", /you are /), new RegExp(`you are ${IRC}:boss;`));
    assert.match(await ask(admin, "!link pause devel", /link devel/), /link devel paused/);
    admin.send("NICK chief_away");
    await admin.waitFor(/:chief!\S+ NICK :?chief_away/);
    assert.match(await ask(admin, "!link resume devel", /link devel/), /link devel resumed/);
    const mark = say.mark();
    admin.say(CHANNEL, "relayed again");
    await say.onMatrix(mark, /relayed again/);
    // A Discord account the admin links while logged in is the admin too: links follow the account.
    const replies = await net.discord.interact(net.channelId, malD, "link-identity", [{ name: "args", value: "" }]);
    const code = /link-identity ([A-Z0-9]{8})/.exec(JSON.stringify(replies))?.[1];
    assert.ok(code);
    assert.match(await ask(admin, `!link-identity ${code}`, /linked: /, "crier"), new RegExp(`${IRC}:boss`));
    assert.match(await say.discord(malD, "!link pause devel", /link devel/), /paused/);
    assert.match(await say.discord(malD, "!link resume devel", /link devel/), /resumed/);
    await leave(admin, "chief_away");
  });
});
