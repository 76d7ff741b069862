/**
 * Names that cannot pass for others (issue #15) and their recompute when a clash ends (issue #18), through the real
 * relay, store and outbox with console doubles standing in for three platforms.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { UserRef } from "../../../src/core/model.js";
import { looksAlike } from "../../../src/relay/name-keys.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";

const config = {
  accounts: {
    console: { user: "op", rooms: ["a"] },
    "console.b": { user: "bee", rooms: ["b"] },
    "console.c": { user: "sea", rooms: ["c"] },
  },
  admins: ["console.b:boss"],
  links: [
    {
      name: "devel",
      rooms: [
        { account: "console", room: "a" },
        { account: "console.b", room: "b" },
        { account: "console.c", room: "c" },
      ],
    },
  ],
};

describe("name keys: case-folding and the UTS #39 confusable skeleton", () => {
  it("case twins, Cyrillic and Greek look-alikes, digits for letters and hidden characters look alike", () => {
    for (const [a, b] of [
      ["boss", "Boss"],
      ["boss", "BOSS"],
      ["alice", "\u0430lice"], // Cyrillic а
      ["ivan", "\u0456van"], // Cyrillic і
      ["Ivan", "lvan"], // capital I is a prototype of l
      ["boss", "b0ss"],
      ["ABE", "\u0391\u0392\u0395"], // Greek capitals
      ["modern", "rnodern"],
      ["Mallory", "Mal\u200blory"],
      ["alice", "alice (irc.net)"],
      ["alice", "@alice"],
    ])
      assert.ok(looksAlike(a, b), `${a} ~ ${JSON.stringify(b)}`);
  });

  it("different names stay different", () => {
    for (const [a, b] of [
      ["alice", "bob"],
      ["boss", "bosses"],
      ["ivan", "ivana"],
      ["dora", "dara"],
    ])
      assert.ok(!looksAlike(a, b), `${a} !~ ${b}`);
  });
});

describe("relayed names never pass for someone else (console doubles)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp(config);
  });
  after(async () => t.close());
  const acct = (a: string) => t.consoles.get(a)!;
  const person = (account: string, id: string, name: string): UserRef => ({ account, id, name });
  let n = 0;
  /** `user` says something in their room; resolves with the name it was shown under in `on`. */
  const shownAs = async (user: UserRef, on: string): Promise<string> => {
    const text = `line-${++n}`;
    const c = acct(user.account);
    const room = c.rooms()[0];
    await t.app.dispatcher.handle({
      kind: "message",
      id: `n${n}`,
      room: { account: user.account, room },
      sender: user,
      body: [{ t: "text", text }],
      at: new Date(),
    });
    const got = await acct(on).waitFor((s) => s.text === text);
    return got.msg.sender!.name;
  };

  it("a display name equal to an admin's nick is told apart, from the first message, even while the admin is away", async () => {
    const fake = person("console", "m-fake", "boss");
    assert.equal(await shownAs(fake, "console.b"), "boss (m-fake)");
    assert.equal(await shownAs(fake, "console.c"), "boss (m-fake)");
    // The admin keeps the name plain.
    assert.equal(await shownAs(person("console.b", "boss", "boss"), "console"), "boss");
  });

  it("a confusable of an admin's name (Cyrillic о, case twin) is told apart too", async () => {
    assert.equal(await shownAs(person("console.c", "m-cyr", "b\u043ess"), "console"), "b\u043ess (m-cyr)");
    assert.equal(await shownAs(person("console.c", "m-case", "BOSS"), "console"), "BOSS (m-case)");
  });

  it("a zero-width space hidden in the admin's name does not make it another name", async () => {
    const sneaky = person("console", "m-hidden", "b\u200boss");
    assert.equal(await shownAs(sneaky, "console.b"), "b\u200boss (m-hidden)");
  });

  it("case twins present in two rooms are both told apart, and the plain name comes back when one leaves", async () => {
    const upper = person("console", "alice1", "Alice");
    const lower = person("console.b", "alice2", "alice");
    acct("console").join("a", upper);
    acct("console.b").join("b", lower);
    // Neither has spoken yet: being present is enough.
    assert.equal(await shownAs(upper, "console.c"), "Alice (alice1)");
    assert.equal(await shownAs(lower, "console.c"), "alice (alice2)");
    acct("console.b").leave("b", lower);
    assert.equal(await shownAs(upper, "console.c"), "Alice", "the innocent party is plain again at once");
  });

  it("a confusable (Cyrillic а) is told apart, and the plain name comes back when the other renames — without their speaking", async () => {
    const real = person("console", "carol1", "carol");
    const fake = person("console.c", "carol2", "c\u0430rol");
    acct("console").join("a", real);
    acct("console.c").join("c", fake);
    assert.equal(await shownAs(fake, "console.b"), "c\u0430rol (carol2)");
    assert.equal(await shownAs(real, "console.b"), "carol (carol1)");
    acct("console.c").rename("c", fake, "mallory");
    assert.equal(await shownAs(real, "console.b"), "carol");
  });

  it("someone no platform lists counts from their last message until they leave", async () => {
    const first = person("console.b", "dan1", "Dan");
    const second = person("console.c", "dan2", "dan");
    assert.equal(await shownAs(first, "console"), "Dan");
    assert.equal(await shownAs(second, "console"), "dan (dan2)");
    assert.equal(await shownAs(first, "console"), "Dan (dan1)");
    acct("console.c").leave("c", second);
    assert.equal(await shownAs(first, "console"), "Dan");
  });

  it("one person on two linked accounts under one name is not a clash", async () => {
    const onA = person("console", "erin-a", "erin");
    const onB = person("console.b", "erin-b", "erin");
    await t.app.ctx.identity.link("console:erin-a", "console.b:erin-b");
    acct("console").join("a", onA);
    acct("console.b").join("b", onB);
    assert.equal(await shownAs(onA, "console.c"), "erin");
    assert.equal(await shownAs(onB, "console.c"), "erin");
  });
});
