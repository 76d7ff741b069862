import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ChatEvent } from "../../../src/core/model.js";
import { toPlain } from "../../../src/core/richtext.js";
import { MAX_MENTION_LOOKUPS } from "../../../src/relay/addressing.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { waitUntil } from "../../testbed/ports.js";

const config = {
  accounts: {
    console: { user: "op", rooms: ["a", "x"] },
    "console.b": { user: "bee", rooms: ["b"] },
    "console.c": { user: "sea", rooms: ["c"] },
  },
  links: [
    {
      name: "devel",
      rooms: [
        { account: "console", room: "a" },
        { account: "console.b", room: "b" },
        { account: "console.c", room: "c", direction: "in" },
      ],
      ignore: ["console:otherbridge"],
    },
  ],
};

describe("relay between linked rooms (console doubles, real store and outbox)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp(config);
  });
  after(async () => t.close());
  const b = () => t.consoles.get("console.b")!;
  const c = () => t.consoles.get("console.c")!;
  const handle = (e: ChatEvent) => t.app.dispatcher.handle(e);

  it("relays a message to every other room of the link, shown as its sender", async () => {
    await t.say("hello from a", { room: "a", user: "alice" });
    const onB = await b().waitFor((s) => s.text === "hello from a");
    assert.equal(onB.msg.kind, "relay");
    assert.equal(onB.msg.sender?.name, "alice");
    assert.equal(onB.room, "b");
    await c().waitFor((s) => s.text === "hello from a");
    assert.ok(!t.console.sent.some((s) => s.text === "hello from a"), "never back to the source");
  });

  it("respects direction: an `in` room's messages go nowhere", async () => {
    c().say("from the in-only room");
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(!b().sent.some((s) => s.text.includes("in-only")));
  });

  it("relays a replayed event (resume/backfill/restart) only once", async () => {
    const e = await t.say("said once", { room: "a", user: "alice" });
    await handle({ ...e, backfill: true });
    await handle(e);
    await b().waitFor((s) => s.text === "said once");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b().sent.filter((s) => s.text === "said once").length, 1);
  });

  it("mirrors the author's edit and delete, and ignores them from anyone else", async () => {
    const e = await t.say("typo here", { room: "a", user: "alice" });
    const copy = await b().waitFor((s) => s.text === "typo here");
    const sender = e.sender;
    await handle({
      kind: "edit",
      id: "e1",
      room: e.room,
      sender: { ...sender, id: "mallory", name: "mallory" },
      targetId: e.id,
      body: [{ t: "text", text: "hijacked" }],
      at: new Date(),
    });
    await handle({
      kind: "edit",
      id: "e2",
      room: { account: "console", room: "x" },
      sender,
      targetId: e.id,
      body: [{ t: "text", text: "other room" }],
      at: new Date(),
    });
    await handle({
      kind: "edit",
      id: "e3",
      room: e.room,
      sender,
      targetId: e.id,
      body: [{ t: "text", text: "typo fixed" }],
      at: new Date(),
    });
    await waitUntil("the edit on b", () => b().edits.some((x) => x.text === "typo fixed"), 3_000);
    const edit = b().edits.find((x) => x.text === "typo fixed")!;
    assert.deepEqual(edit.nativeIds, [copy.nativeId]);
    assert.ok(!b().edits.some((x) => x.text === "hijacked" || x.text === "other room"));
    await handle({
      kind: "delete",
      room: e.room,
      sender: { ...sender, id: "mallory" },
      targetId: e.id,
      at: new Date(),
    });
    await handle({ kind: "delete", room: e.room, sender, targetId: e.id, at: new Date() });
    await waitUntil("the delete on b", () => b().deletes.length === 1, 3_000);
    assert.deepEqual(b().deletes[0].nativeIds, [copy.nativeId]);
  });

  it("a relayed copy cannot be used to edit the original (edits only follow the origin room)", async () => {
    const e = await t.say("original words", { room: "a", user: "alice" });
    const copy = await b().waitFor((s) => s.text === "original words");
    // Someone on b claims to edit the relayed copy, pretending to be alice's relayed name.
    await handle({
      kind: "edit",
      id: "e9",
      room: { account: "console.b", room: "b" },
      sender: { account: "console.b", id: "alice", name: "alice" },
      targetId: copy.nativeId,
      body: [{ t: "text", text: "forged" }],
      at: new Date(),
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!t.console.edits.some((x) => x.text === "forged"));
    void e;
  });

  it("carries replies to the copy in each room and reactions to any copy", async () => {
    const e = await t.say("question?", { room: "a", user: "alice" });
    const copy = await b().waitFor((s) => s.text === "question?");
    const bob = { account: "console.b", id: "bob", name: "bob" };
    await handle({
      kind: "message",
      id: "reply1",
      room: { account: "console.b", room: "b" },
      sender: bob,
      body: [{ t: "text", text: "answer!" }],
      replyTo: copy.nativeId,
      at: new Date(),
    });
    const onA = await t.console.waitFor((s) => s.text === "answer!");
    assert.equal(onA.msg.replyToNativeId, e.id);
    await handle({
      kind: "reaction",
      id: "r1",
      room: { account: "console.b", room: "b" },
      sender: { account: "console.b", id: "bob", name: "bob" },
      targetId: copy.nativeId,
      emoji: "👍",
      at: new Date(),
    });
    await waitUntil("the reaction", () => t.console.reactions.length === 1, 3_000);
    assert.deepEqual(t.console.reactions[0], { room: "a", nativeId: e.id, emoji: "👍" });
  });

  it("drops ignored senders, crier's own echoes and bot notices", async () => {
    const e1 = await t.say("from another bridge", { room: "a", user: "otherbridge" });
    await handle({ ...e1, id: "self1", fromSelf: true, body: [{ t: "text", text: "my own echo" }] });
    await handle({
      ...e1,
      id: "n1",
      sender: { ...e1.sender, id: "bot" },
      notice: true,
      body: [{ t: "text", text: "bot notice" }],
    });
    await t.say("after them", { room: "a", user: "alice" });
    await b().waitFor((s) => s.text === "after them");
    for (const txt of ["from another bridge", "my own echo", "bot notice"])
      assert.ok(!b().sent.some((s) => s.text === txt), txt);
  });

  it("translates a mention only when the person is linked on the target, and only that may ping", async () => {
    await t.app.ctx.identity.link("console:carol", "console.b:carol_b");
    const e = await t.say("", { room: "a", user: "alice" });
    await handle({
      ...e,
      id: `${e.id}m`,
      body: [
        { t: "text", text: "hi " },
        { t: "mention", name: "carol", user: { account: "console", id: "carol", name: "carol" } },
        { t: "text", text: " and " },
        { t: "mention", name: "dave", user: { account: "console", id: "dave", name: "dave" } },
      ],
    });
    const onB = await b().waitFor((s) => s.text.startsWith("hi carol"));
    assert.deepEqual(onB.msg.allowedMentions, ["carol_b"]);
    const nodes = onB.msg.body.filter((n) => n.t === "mention");
    assert.equal(nodes.length, 2);
    assert.equal(nodes[0].t === "mention" && nodes[0].user?.id, "carol_b");
    assert.equal(nodes[1].t === "mention" && nodes[1].user, undefined);
    assert.equal(toPlain(onB.msg.body), "hi carol and dave");
  });

  it("a message naming many people looks up only the first 20; the others stay names and ping no one", async () => {
    const people = Array.from({ length: 25 }, (_, i) => `p${i}`);
    for (const p of people) await t.app.ctx.identity.link(`console:${p}`, `console.b:${p}_b`);
    const e = await t.say("", { room: "a", user: "alice" });
    await handle({
      ...e,
      id: `${e.id}many`,
      body: [
        { t: "text", text: "all of you: " },
        ...people.flatMap((p) => [
          { t: "mention" as const, name: p, user: { account: "console", id: p, name: p } },
          { t: "text" as const, text: " " },
        ]),
      ],
    });
    const onB = await b().waitFor((s) => s.text.startsWith("all of you: "));
    assert.deepEqual(
      onB.msg.allowedMentions,
      people.slice(0, MAX_MENTION_LOOKUPS).map((p) => `${p}_b`),
    );
    assert.equal(toPlain(onB.msg.body).trim(), `all of you: ${people.join(" ")}`);
  });

  it("pauses and resumes a link by admin command", async () => {
    await t.say("!link pause devel", { room: "a", user: "op" });
    await t.expectSent("link devel paused");
    await t.say("while paused", { room: "a", user: "alice" });
    await t.say("!link resume devel", { room: "a", user: "op" });
    await t.expectSent("link devel resumed");
    await t.say("after resume", { room: "a", user: "alice" });
    await b().waitFor((s) => s.text === "after resume");
    assert.ok(!b().sent.some((s) => s.text === "while paused"));
    await t.say("!link pause devel", { room: "a", user: "stranger" });
    await t.expectSent("only admins may use !link");
  });
});
