/**
 * Mentions for everyone present (issue #18), through the real relay, store and outbox with console doubles; and the
 * IRC rendering that makes clients highlight (the addressed nick leads the line).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { renderIrcMessage } from "../../../src/adapters/irc/render.js";
import type { OutgoingMessage } from "../../../src/core/adapter.js";
import type { UserRef } from "../../../src/core/model.js";
import type { RichNode } from "../../../src/core/richtext.js";
import { typedAddresses } from "../../../src/relay/mentions.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";

const config = {
  accounts: {
    console: { user: "op", rooms: ["a"] },
    "console.b": { user: "bee", rooms: ["b"] },
    "console.c": { user: "sea", rooms: ["c"] },
  },
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

describe("typed addresses", () => {
  const text = (s: string): RichNode[] => [{ t: "text", text: s }];
  it("finds the name a message begins with and every @name, never a whole room", () => {
    assert.deepEqual(typedAddresses(text("carol: hi")), ["carol"]);
    assert.deepEqual(typedAddresses(text("Alice Liddell, look")), ["Alice Liddell"]);
    assert.deepEqual(typedAddresses(text("see @alice:example.org and @bob.")), ["@alice:example.org", "@bob"]);
    assert.deepEqual(typedAddresses(text("@everyone @here @room @\u200beveryone look")), []);
    assert.deepEqual(typedAddresses(text("http://example.org: a link")), []);
  });

  it("looks up a bounded number of names, however many a message holds", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `@n${i}`).join(" ");
    assert.equal(typedAddresses(text(many)).length, 20);
  });
});

describe("addresses of people present become mentions on the other platforms (console doubles)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp(config);
  });
  after(async () => t.close());
  const c = (a: string) => t.consoles.get(a)!;
  const person = (account: string, id: string, name: string): UserRef => ({ account, id, name });
  let n = 0;
  const say = async (from: UserRef, text: string, on: string) => {
    const tag = ` t${++n}`;
    await t.app.dispatcher.handle({
      kind: "message",
      id: `m${n}`,
      room: { account: from.account, room: c(from.account).rooms()[0] },
      sender: from,
      body: [{ t: "text", text: text + tag }],
      at: new Date(),
    });
    return (await c(on).waitFor((s) => s.text.endsWith(tag))).msg;
  };
  const mentioned = (msg: OutgoingMessage) =>
    msg.body
      .filter((x): x is Extract<RichNode, { t: "mention" }> => x.t === "mention" && !!x.user)
      .map((x) => x.user!.id);

  it("a unique address of someone present becomes a mention allowed to ping there, and only there", async () => {
    const ivan = person("console", "ivan", "ivan");
    c("console.b").join("b", person("console.b", "carol-id", "carol"));
    const onB = await say(ivan, "carol: hi", "console.b");
    assert.deepEqual(mentioned(onB), ["carol-id"]);
    assert.deepEqual(onB.allowedMentions, ["carol-id"]);
    const onC = await say(ivan, "carol: again", "console.c");
    assert.deepEqual(mentioned(onC), [], "carol is not on c: nobody is pinged there");
    assert.equal(onC.allowedMentions, undefined);
    const at = await say(ivan, "hey @carol, look", "console.b");
    assert.deepEqual(at.allowedMentions, ["carol-id"]);
  });

  it("an ambiguous or unknown name stays text", async () => {
    const ivan = person("console", "ivan", "ivan");
    c("console.b").join("b", person("console.b", "dan-b", "dan"));
    c("console.c").join("c", person("console.c", "dan-c", "Dan"));
    const onB = await say(ivan, "dan: who?", "console.b");
    assert.equal(onB.allowedMentions, undefined);
    assert.deepEqual(mentioned(onB), []);
    assert.equal((await say(ivan, "zed: anyone?", "console.b")).allowedMentions, undefined);
  });

  it("a linked identity wins over a look-alike present on the target", async () => {
    await t.app.ctx.identity.link("console:frank-a", "console.c:frank-c");
    c("console").join("a", person("console", "frank-a", "frank"));
    c("console.c").join("c", person("console.c", "frank-c", "Frank the Great"));
    const onC = await say(person("console.b", "bee", "bee"), "frank: ping", "console.c");
    assert.deepEqual(onC.allowedMentions, ["frank-c"]);
  });
});

describe("IRC: a line that addresses people present begins with their nicks", () => {
  const carol: UserRef = { account: "irc", id: "carol", name: "carol" };
  const msg = (body: RichNode[], allowed?: string[]): OutgoingMessage => ({
    room: "#devel",
    body,
    kind: "relay",
    sender: { name: "alice", key: "m:alice" },
    idempotencyKey: "k",
    allowedMentions: allowed,
  });
  const opts = { nick: "crier", replyAs: "notice" as const, formatting: "plain" as const, maxLines: 5 };
  const text = (line: string) => line.replace(/^PRIVMSG #devel :/, "").replace(/\u200b/g, "");

  it("`carol: hi` from elsewhere leads with carol once", () => {
    const lines = renderIrcMessage(
      msg(
        [
          { t: "mention", name: "carol", user: carol },
          { t: "text", text: ": hi" },
        ],
        ["carol"],
      ),
      opts,
    );
    assert.deepEqual(lines.map(text), ["carol: <alice> hi"]);
  });

  it("a mention inside the text leads too; one not allowed to ping does not", () => {
    const body: RichNode[] = [
      { t: "text", text: "ask " },
      { t: "mention", name: "carol", user: carol },
    ];
    assert.deepEqual(renderIrcMessage(msg(body, ["carol"]), opts).map(text), ["carol: <alice> ask carol"]);
    assert.deepEqual(renderIrcMessage(msg(body), opts).map(text), ["<alice> ask carol"]);
  });
});
