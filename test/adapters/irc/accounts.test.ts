/**
 * The IRC adapter knows each user by their services account, against InspIRCd with Atheme linked: from the
 * account tag on a message, extended-join, account-notify, WHOX after crier joins, and WHOIS (330) on a server
 * without account-tag. A user without an account is `~nick`, unverified; with trustNicks, the plain nick.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ChatEvent, MessageEvent } from "../../../src/core/model.js";
import { type IrcWithServices, identify, registerAccount, startIrcWithServices } from "../../testbed/atheme.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { makeIrcAdapter } from "./harness.js";

const CAPS = ["server-time", "message-tags", "account-tag", "extended-join", "account-notify"];

async function client(port: number, nick: string, channel?: string): Promise<RawIrcClient> {
  const c = new RawIrcClient(nick, port, CAPS);
  await c.connect();
  if (channel) await c.join(channel);
  return c;
}

/** Waits for the first event matching and returns it. */
async function event<T extends ChatEvent>(events: ChatEvent[], what: string, pred: (e: ChatEvent) => boolean) {
  await waitUntil(what, () => events.some(pred));
  return events.find(pred) as T;
}

describe("IRC identity from services accounts (InspIRCd + Atheme)", () => {
  let net: IrcWithServices;
  const people: RawIrcClient[] = [];
  before(async () => {
    net = await startIrcWithServices();
  });
  after(async () => {
    for (const p of people) p.close();
    await net?.stop();
  });

  it("keys messages and joins by account (account-tag, extended-join); no account is ~nick and unverified", async () => {
    const alice = await client(net.port, "alice");
    people.push(alice);
    await registerAccount(alice, "alice-pw-123");
    const irc = makeIrcAdapter(net.port, ["#acc"]);
    await irc.start();
    try {
      await irc.waitJoined("#acc");
      await alice.join("#acc");
      const bob = await client(net.port, "bob", "#acc");
      people.push(bob);
      const joinA = await event(irc.events, "alice's join", (e) => e.kind === "join" && e.user.name === "alice");
      const joinB = await event(irc.events, "bob's join", (e) => e.kind === "join" && e.user.name === "bob");
      assert.deepEqual([joinA.kind === "join" && joinA.user], [{ account: "irc.test", id: "alice", name: "alice" }]);
      assert.deepEqual(joinB.kind === "join" && joinB.user, {
        account: "irc.test",
        id: "~bob",
        name: "bob",
        unverified: true,
      });
      alice.say("#acc", "from alice");
      bob.say("#acc", "from bob");
      await waitUntil("both messages", () => irc.messages().length >= 2);
      const [a, b] = irc.messages();
      assert.equal(a.sender.id, "alice");
      assert.equal(a.sender.unverified, undefined);
      assert.equal(b.sender.id, "~bob");
      assert.equal(b.sender.unverified, true);
      // The account stays with the connection across a nick change.
      alice.send("NICK alice_away");
      const nick = await event(irc.events, "alice's nick change", (e) => e.kind === "nick");
      assert.equal(nick.kind === "nick" && nick.user.id, "alice");
      alice.say("#acc", "still alice");
      await waitUntil("third message", () => irc.messages().length >= 3);
      assert.deepEqual(
        { id: irc.messages()[2].sender.id, name: irc.messages()[2].sender.name },
        { id: "alice", name: "alice_away" },
      );
    } finally {
      await irc.adapter.stop();
    }
  });

  it("learns accounts of people already there (WHOX) and of logins later (account-notify)", async () => {
    const carol = await client(net.port, "carol");
    people.push(carol);
    await registerAccount(carol, "carol-pw-123");
    await carol.join("#whox");
    const dave = await client(net.port, "dave", "#whox");
    people.push(dave);
    const irc = makeIrcAdapter(net.port, ["#whox"]);
    await irc.start();
    try {
      await irc.waitJoined("#whox");
      // dave registers now: services log him in and account-notify tells crier.
      await registerAccount(dave, "dave-pw-1234");
      await waitUntil("crier to learn both accounts", () => {
        const book = (irc.adapter as unknown as { membership: { accounts: { get(n: string): unknown } } }).membership
          .accounts;
        return book.get("carol") === "carol" && book.get("dave") === "dave";
      });
      // A PART carries no account tag in irc-framework's event: who left comes from what crier learned.
      carol.send("PART #whox");
      dave.send("PART #whox");
      await waitUntil("both parts", () => irc.events.filter((e) => e.kind === "part").length >= 2);
      const parts = irc.events.filter((e) => e.kind === "part").map((e) => e.kind === "part" && e.user.id);
      assert.deepEqual(parts.sort(), ["carol", "dave"]);
    } finally {
      await irc.adapter.stop();
    }
  });

  it("with trustNicks, a user without an account is known by the plain nick", async () => {
    const irc = makeIrcAdapter(net.port, ["#trust"], { trustNicks: true });
    await irc.start();
    try {
      await irc.waitJoined("#trust");
      const erin = await client(net.port, "erin", "#trust");
      people.push(erin);
      erin.say("#trust", "hello");
      const m = await event<MessageEvent>(irc.events, "erin's message", (e) => e.kind === "message");
      assert.deepEqual(m.sender, { account: "irc.test", id: "erin", name: "erin" });
    } finally {
      await irc.adapter.stop();
    }
  });
});

describe("IRC identity without account-tag: WHOIS 330 and the account book", () => {
  let net: IrcWithServices;
  const people: RawIrcClient[] = [];
  before(async () => {
    net = await startIrcWithServices({ accountCaps: "no-tag" });
  });
  after(async () => {
    for (const p of people) p.close();
    await net?.stop();
  });

  it("asks WHOIS for a private message from someone in no shared channel, and never remembers the answer", async () => {
    const frank = await client(net.port, "frank");
    people.push(frank);
    await registerAccount(frank, "frank-pw-123");
    const gina = await client(net.port, "gina");
    people.push(gina);
    const irc = makeIrcAdapter(net.port, ["#nowho"]);
    await irc.start();
    try {
      await irc.waitJoined("#nowho");
      frank.say("crier", "private from frank");
      gina.say("crier", "private from gina");
      await waitUntil("both private messages", () => irc.messages().length >= 2);
      const [f, g] = irc.messages();
      assert.equal(f.sender.id, "frank");
      assert.equal(g.sender.id, "~gina");
      // frank leaves; gina takes the nick frank: without account-tag crier must ask again, not remember.
      frank.close();
      await waitUntil("nick frank free", async () => {
        gina.send("NICK frank");
        return gina.lines.some((l) => /:gina!\S+ NICK :?frank/.test(l));
      });
      gina.say("crier", "I am frank now");
      await waitUntil("third private message", () => irc.messages().length >= 3);
      assert.deepEqual(
        { id: irc.messages()[2].sender.id, unverified: irc.messages()[2].sender.unverified },
        { id: "~frank", unverified: true },
      );
      // In a shared channel, extended-join says who is logged in; the message needs no WHOIS.
      await identify(gina, "frank", "frank-pw-123");
      gina.send("JOIN #nowho");
      await gina.waitFor(/:frank!\S+ JOIN :?#nowho/);
      gina.say("#nowho", "logged in now");
      await waitUntil("fourth message", () => irc.messages().length >= 4);
      assert.equal(irc.messages()[3].sender.id, "frank");
    } finally {
      await irc.adapter.stop();
    }
  });
});

describe("IRC identity with no IRCv3 account features at all: WHOX on join, one WHOIS per newcomer", () => {
  let net: IrcWithServices;
  const people: RawIrcClient[] = [];
  before(async () => {
    net = await startIrcWithServices({ accountCaps: "none" });
  });
  after(async () => {
    for (const p of people) p.close();
    await net?.stop();
  });

  it("learns who was there from WHOX, asks WHOIS once for someone who joins later, and follows their nick", async () => {
    const hank = await client(net.port, "hank");
    const ida = await client(net.port, "ida");
    people.push(hank, ida);
    await registerAccount(hank, "hank-pw-123");
    await registerAccount(ida, "ida-pw-1234");
    await hank.join("#plain");
    const irc = makeIrcAdapter(net.port, ["#plain"]);
    await irc.start();
    try {
      await irc.waitJoined("#plain");
      await waitUntil("crier to learn hank's account from WHOX", () => {
        const book = (irc.adapter as unknown as { membership: { accounts: { get(n: string): unknown } } }).membership
          .accounts;
        return book.get("hank") === "hank";
      });
      await ida.join("#plain");
      hank.say("#plain", "one");
      ida.say("#plain", "two");
      ida.say("#plain", "three");
      // A WHOIS describes whoever holds the nick when the server answers: let it answer before the nick changes.
      await waitUntil("three messages", () => irc.messages().length >= 3);
      ida.send("NICK ida_2");
      await ida.waitFor(/:ida!\S+ NICK :?ida_2/);
      ida.say("#plain", "four");
      await waitUntil("four messages", () => irc.messages().length >= 4);
      assert.deepEqual(
        irc.messages().map((m) => m.sender.id),
        ["hank", "ida", "ida", "ida"],
      );
      const whois = net.ircd.inputOf("crier").filter((l) => /^WHOIS /i.test(l));
      assert.deepEqual(whois, ["WHOIS ida"], "one WHOIS, for the newcomer only");
    } finally {
      await irc.adapter.stop();
    }
  });
});
