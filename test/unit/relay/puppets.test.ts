/**
 * Who a relayed sender is as a virtual user (a Matrix ghost): their own platform's puppet while unlinked, one
 * person's puppet for all identities linked in crier (in rooms of other accounts), under the name they go by now;
 * the ghost ids those make; and renames: only when the id stays, bounded per window.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ghostLocalpart } from "../../../src/adapters/matrix/ghosts.js";
import type { Adapter, Puppet } from "../../../src/core/adapter.js";
import type { MembershipEvent, UserRef } from "../../../src/core/model.js";
import { FakeClock } from "../../../src/services/clock.js";
import { personPuppet, puppetsOf } from "../../../src/relay/puppets.js";
import { RenameThrottle, renamedUser, renameItem } from "../../../src/relay/renames.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { waitUntil } from "../../testbed/ports.js";

/** Adapters that name puppets the way the IRC and Discord ones do. */
const adapters = new Map<string, Adapter>([
  [
    "irc.libera",
    { puppet: (u: UserRef): Puppet => ({ id: ["irc", "libera", u.id.toLowerCase()], displayName: `${u.name} (IRC)` }) },
  ],
  ["discord.main", { puppet: (u: UserRef): Puppet => ({ id: ["discord", u.id], displayName: u.name }) }],
] as unknown as [string, Adapter][]);

const alice: UserRef = { account: "irc.libera", id: "alice", name: "alice" };
const aliceD: UserRef = { account: "discord.main", id: "80351110224678912", name: "Alice W." };
const bob: UserRef = { account: "irc.libera", id: "bob", name: "bob" };
const MATRIX = "matrix.hs";
const ghost = (p: Puppet) => ghostLocalpart("crier_", p);

describe("senders as virtual users (relay/puppets.ts)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());
  const deps = () => ({ adapters, identity: t.app.ctx.identity });

  it("an unlinked sender is their own platform's ghost, in every account", async () => {
    const p = await puppetsOf(deps(), alice);
    assert.equal(ghost(p(MATRIX)), "crier_irc_libera_alice");
    assert.equal(p(MATRIX).displayName, "alice (IRC)");
    assert.equal(ghost((await puppetsOf(deps(), aliceD))(MATRIX)), "crier_discord_80351110224678912");
    // Without an adapter's naming: the account and the id.
    const other = await puppetsOf(deps(), { account: "console", id: "op", name: "Op" });
    assert.deepEqual(other(MATRIX), { id: ["console", "op"], displayName: "Op" });
  });

  it("identities linked in crier are one ghost, under the name they spoke with last", async () => {
    const person = await t.app.ctx.identity.link("irc.libera:alice", "discord.main:80351110224678912");
    const fromIrc = (await puppetsOf(deps(), alice))(MATRIX);
    const fromDiscord = (await puppetsOf(deps(), aliceD))(MATRIX);
    assert.deepEqual(fromIrc.id, fromDiscord.id, "one virtual user for the person");
    assert.deepEqual(fromIrc.id, personPuppet(person, "x").id);
    assert.match(ghost(fromIrc), /^crier_person_[0-9a-f]{20}$/);
    assert.equal(fromIrc.displayName, "alice");
    assert.equal(fromDiscord.displayName, "Alice W.");
    // The person id (an identity key) does not show in the ghost's id.
    assert.ok(!ghost(fromIrc).includes("alice"));
    // Someone unlinked is still their own ghost, never the person's.
    assert.equal(ghost((await puppetsOf(deps(), bob))(MATRIX)), "crier_irc_libera_bob");
  });

  it("in a room of their own account a linked person keeps their own virtual user", async () => {
    const p = await puppetsOf(deps(), aliceD);
    assert.equal(ghost(p("discord.main")), "crier_discord_80351110224678912");
    assert.match(ghost(p("irc.libera")), /^crier_person_/);
  });

  it("linking one more identity keeps the person's ghost; unlinking one leaves it to the others", async () => {
    const before = ghost((await puppetsOf(deps(), alice))(MATRIX));
    await t.app.ctx.identity.link("discord.main:80351110224678912", "matrix.hs:@alice:example.org");
    const mx: UserRef = { account: MATRIX, id: "@alice:example.org", name: "Alice" };
    assert.equal(ghost((await puppetsOf(deps(), alice))(MATRIX)), before);
    // Their own Matrix identity relayed to another Matrix room stays that account's own (no person ghost there).
    assert.deepEqual((await puppetsOf(deps(), mx))(MATRIX).id, [MATRIX, "@alice:example.org"]);
    assert.equal(ghost((await puppetsOf(deps(), mx))("irc.libera")), before);
    await t.app.ctx.identity.unlink("matrix.hs:@alice:example.org");
    assert.equal(ghost((await puppetsOf(deps(), alice))(MATRIX)), before, "the rest are still that person");
    assert.equal((await puppetsOf(deps(), mx))("irc.libera").id[0], MATRIX, "the unlinked one is its own again");
  });

  it("an unverified sender (a nick anyone may take) is never a person, even named like a linked identity", async () => {
    const nick: UserRef = { account: "irc.libera", id: "alice", name: "alice", unverified: true };
    assert.equal(ghost((await puppetsOf(deps(), nick))(MATRIX)), "crier_irc_libera_alice");
  });
});

describe("renames of virtual users (relay/renames.ts)", () => {
  const nick = (over: Partial<MembershipEvent> = {}): MembershipEvent => ({
    kind: "nick",
    room: { account: "irc.libera", room: "#devel" },
    user: alice,
    newName: "alicia",
    at: new Date(1_000),
    ...over,
  });

  it("a rename that keeps the id names the same user anew; one that changes the id renames nobody", () => {
    assert.deepEqual(renamedUser(nick()), { ...alice, name: "alicia" });
    const unverified = { account: "irc.libera", id: "~bob", name: "bob", unverified: true };
    assert.equal(renamedUser(nick({ user: unverified, renamedTo: { ...unverified, id: "~bobby" } })), undefined);
    assert.equal(renamedUser(nick({ kind: "join" })), undefined);
    assert.equal(renamedUser(nick({ newName: undefined })), undefined);
  });

  it("the rename item carries the puppet with its new name and says nothing", () => {
    const puppet = { id: ["irc", "libera", "alice"], displayName: "alicia (IRC)" };
    const item = renameItem(nick(), { ...alice, name: "alicia" }, puppet, { account: MATRIX, room: "!r" });
    assert.equal(item.account, MATRIX);
    assert.deepEqual(item.message.body, []);
    assert.equal(item.message.membership?.kind, "rename");
    assert.deepEqual(item.message.membership?.who.puppet, puppet);
    assert.equal(item.message.membership?.who.key, "irc.libera:alice");
    const other = renameItem(nick({ newName: "al" }), { ...alice, name: "al" }, puppet, {
      account: MATRIX,
      room: "!r",
    });
    assert.notEqual(other.message.idempotencyKey, item.message.idempotencyKey, "each rename is its own item");
  });

  it("a flood of renames costs one at once and then one per window, the latest", () => {
    const clock = new FakeClock(0);
    const throttle = new RenameThrottle(clock, 10_000);
    const sent: string[] = [];
    for (let i = 0; i < 500; i++) throttle.offerKeyed("k", () => sent.push(`n${i}`));
    assert.deepEqual(sent, ["n0"]);
    return (async () => {
      clock.advance(10_000);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(sent, ["n0", "n499"], "the latest name when the window closes");
      for (let i = 500; i < 600; i++) throttle.offerKeyed("k", () => sent.push(`n${i}`));
      clock.advance(10_000);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(sent, ["n0", "n499", "n599"]);
      // A quiet window closes it: the next rename goes out at once again.
      clock.advance(10_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(throttle.size, 0);
      throttle.offerKeyed("k", () => sent.push("later"));
      assert.equal(sent.at(-1), "later");
      // Other keys (other people, other rooms) have windows of their own.
      throttle.offerKeyed("k2", () => sent.push("other"));
      assert.equal(sent.at(-1), "other");
      throttle.stop();
    })();
  });

  it("keeps a bounded number of windows open; past it a rename is left to the next message", () => {
    const throttle = new RenameThrottle(new FakeClock(0), 10_000, 3);
    const sent: number[] = [];
    for (let i = 0; i < 10; i++)
      assert.equal(
        throttle.offerKeyed(`k${i}`, () => sent.push(i)),
        i < 3,
      );
    assert.deepEqual(sent, [0, 1, 2]);
    assert.equal(throttle.size, 3);
    throttle.stop();
    assert.equal(
      throttle.offerKeyed("late", () => sent.push(99)),
      false,
      "nothing after stop",
    );
  });
});

describe("the relay names virtual users where the target has them (console doubles, real store and outbox)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({
      accounts: {
        console: { user: "op", rooms: ["a"] },
        "console.b": { user: "bee", rooms: ["b"] },
        "console.c": { user: "sea", rooms: ["c"] },
        "console.d": { user: "dee", rooms: ["d"] },
      },
      links: [
        {
          name: "devel",
          rooms: [
            { account: "console", room: "a" },
            { account: "console.b", room: "b" },
            { account: "console.c", room: "c" },
            { account: "console.d", room: "d" },
          ],
        },
      ],
    });
    // console.b stands for an account whose relayed people are virtual users (a Matrix application service).
    Object.assign(t.consoles.get("console.b")!.capabilities, { puppets: true });
  });
  after(() => t.close());
  const b = () => t.consoles.get("console.b")!;
  const c = () => t.consoles.get("console.c")!;
  const renamesOnB = () => b().sent.filter((s) => s.msg.membership?.kind === "rename");
  const nickEvent = (user: UserRef, newName: string, over: Partial<MembershipEvent> = {}): MembershipEvent => ({
    kind: "nick",
    room: { account: "console", room: "a" },
    user,
    newName,
    at: new Date(),
    ...over,
  });

  it("a message from a linked person carries the person's puppet there; from their own account, their own", async () => {
    const person = await t.app.ctx.identity.link("console:ann", "console.c:ann-c");
    await t.say("hello from ann", { room: "a", user: "ann" });
    const onB = await b().waitFor((s) => s.text === "hello from ann");
    assert.deepEqual(onB.msg.sender?.puppet, personPuppet(person, "ann"));
    c().say("and from her other account", { user: "ann-c" });
    const again = await b().waitFor((s) => s.text === "and from her other account");
    assert.deepEqual(again.msg.sender?.puppet?.id, personPuppet(person, "").id, "the same virtual user");
    assert.equal(again.msg.sender?.puppet?.displayName, "ann-c");
    const onA = await t.console.waitFor((s) => s.text === "and from her other account");
    assert.deepEqual(onA.msg.sender?.puppet, personPuppet(person, "ann-c"));
  });

  it("a name change renames the virtual user at once, on a link without membership, and nowhere else", async () => {
    await t.app.dispatcher.handle(nickEvent({ account: "console", id: "zed", name: "zed" }, "zedd"));
    const renamed = await b().waitFor((s) => s.msg.membership?.kind === "rename");
    assert.deepEqual(renamed.msg.membership?.who.puppet, { id: ["console", "zed"], displayName: "zedd" });
    assert.equal(renamed.text, "", "a rename says nothing");
    assert.ok(!c().sent.some((s) => s.msg.membership), "no rename where people are not virtual users");
    assert.ok(!c().sent.some((s) => s.text.includes("zedd")), "and no line: the link does not relay membership");
  });

  it("a linked person's rename is their person's virtual user's", async () => {
    const person = await t.app.ctx.identity.personId({ account: "console", id: "ann" });
    const before = renamesOnB().length;
    await t.app.dispatcher.handle(nickEvent({ account: "console", id: "ann", name: "ann" }, "annie"));
    await waitUntil("ann's rename", () => renamesOnB().length > before);
    assert.deepEqual(renamesOnB().at(-1)?.msg.membership?.who.puppet, personPuppet(person, "annie"));
  });

  it("a rename that changes the id (a nick without an account) renames nobody", async () => {
    const before = renamesOnB().length;
    const nick = { account: "console", id: "~kim", name: "kim", unverified: true };
    await t.app.dispatcher.handle(nickEvent(nick, "kimmy", { renamedTo: { ...nick, id: "~kimmy", name: "kimmy" } }));
    // Then a rename that does keep the id: only it reaches b (delivery is in order per room).
    await t.app.dispatcher.handle(nickEvent({ account: "console", id: "yan", name: "yan" }, "yann"));
    await waitUntil("yan's rename", () => renamesOnB().some((s) => s.msg.membership?.who.name === "yann"));
    assert.equal(renamesOnB().length, before + 1);
  });

  it("a flood of name changes sends one rename now (the rest wait for the window)", async () => {
    const before = renamesOnB().length;
    for (let i = 0; i < 200; i++)
      await t.app.dispatcher.handle(nickEvent({ account: "console", id: "flo", name: `flo${i}` }, `flo${i + 1}`));
    await t.app.dispatcher.handle(nickEvent({ account: "console", id: "end", name: "end" }, "ended"));
    await waitUntil("the marker's rename", () => renamesOnB().some((s) => s.msg.membership?.who.name === "ended"));
    const flo = renamesOnB()
      .slice(before)
      .filter((s) => s.msg.membership?.who.key === "console:flo");
    assert.deepEqual(
      flo.map((s) => s.msg.membership?.who.name),
      ["flo1"],
    );
  });
});
