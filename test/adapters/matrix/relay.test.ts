/** The Matrix adapter inside a real crier App: relay Matrix ⇄ console through a real Synapse, across a restart. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { MatrixAdapter } from "../../../src/adapters/matrix/adapter.js";
import { type TestApp, makeTestApp } from "../../helpers/app.js";
import { waitUntil } from "../../testbed/ports.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";

describe("relay Matrix ⇄ console through Synapse", () => {
  let server: Synapse;
  let bot: MatrixTestUser;
  let alice: MatrixTestUser;
  let bob: MatrixTestUser;
  let room: string;
  let t: TestApp;
  const stateDir = mkdtempSync(join(tmpdir(), "crier-e2e-matrix-"));
  const config = () => ({
    accounts: {
      console: { user: "op", rooms: ["a"] },
      "matrix.hs": { homeserver: server.url, accessToken: bot.token, rooms: [room], syncTimeoutMs: 1000 },
    },
    links: [
      {
        name: "devel",
        rooms: [
          { account: "console", room: "a" },
          { account: "matrix.hs", room },
        ],
      },
    ],
  });
  const start = async () => {
    t = await makeTestApp(config(), { stateDir });
    await (t.app.ctx.adapters.get("matrix.hs") as MatrixAdapter).whenSynced();
  };

  before(async () => {
    server = await startSynapse();
    bot = await server.register("crier");
    alice = await server.register("alice");
    bob = await server.register("bob");
    room = await alice.createRoom({ invite: [bot.userId, bob.userId] });
    await bob.join(room);
    await start();
  });
  after(async () => {
    await t?.close().catch(() => undefined);
    await server?.stop();
  });

  it("Matrix → console under the sender's name, formatting kept", async () => {
    await alice.sendHtml(room, "hello", "<strong>hello</strong> from Matrix");
    const m = await t.console.waitFor((s) => s.text === "hello from Matrix", 15_000);
    assert.equal(m.msg.sender?.name, "alice");
    assert.ok(m.msg.body.some((n) => n.t === "bold"));
  });

  it("console → Matrix as m.text under the sender template, exactly once", async () => {
    await t.say("hi Matrix people @room", { room: "a", user: "carol" });
    const [e] = await alice.waitFor(room, (x) => x.sender === bot.userId && /hi Matrix people/.test(x.content.body));
    assert.equal(e.content.msgtype, "m.text");
    assert.match(e.content.formatted_body, /^<strong>carol<\/strong>: hi Matrix people @\u2060room$/);
    assert.equal((await alice.messages(room)).filter((x) => /hi Matrix people/.test(x.content?.body ?? "")).length, 1);
  });

  it("marks what it relays, and never relays what another bridge marked (no loop between two criers)", async () => {
    await t.say("marked copy", { room: "a", user: "carol" });
    const [copy] = await alice.waitFor(room, (x) => x.sender === bot.userId && /marked copy/.test(x.content.body));
    assert.equal(copy.content["io.github.crier.relayed"], true);
    // bob stands for a second crier relaying into the same room.
    await bob.send(room, { msgtype: "m.text", body: "from the other bridge", "io.github.crier.relayed": true });
    await alice.sendText(room, "after the other bridge");
    await t.console.waitFor((s) => s.text === "after the other bridge", 15_000);
    assert.ok(!t.console.sent.some((s) => s.text.includes("from the other bridge")));
  });

  it("an author's edit and redaction are mirrored; someone else's edit is not", async () => {
    const id = await alice.sendText(room, "typo here");
    await t.console.waitFor((s) => s.text === "typo here", 15_000);
    await bob.edit(room, id, "bob was here");
    await alice.edit(room, id, "no typo here");
    await waitUntil("the edit on the console", () => t.console.edits.some((e) => e.text === "no typo here"));
    assert.ok(!t.console.edits.some((e) => e.text.includes("bob was here")), JSON.stringify(t.console.edits));
    await alice.redact(room, id);
    await waitUntil("the delete on the console", () => t.console.deletes.length > 0);
  });

  it("messages relayed while Synapse is down arrive once, in order, after it is back", async () => {
    const adapter = t.app.ctx.adapters.get("matrix.hs") as MatrixAdapter;
    await server.kill();
    await waitUntil("the adapter noticing", () => adapter.state() !== "connected", 30_000);
    await t.say("during the outage 1", { room: "a", user: "carol" });
    await t.say("during the outage 2", { room: "a", user: "carol" });
    await server.start();
    await waitUntil("the adapter back", () => adapter.state() === "connected", 60_000);
    const got = await alice.waitFor(room, (x) => /during the outage/.test(x.content?.body ?? ""), 2, 60_000);
    await alice.sendText(room, "after the outage");
    await t.console.waitFor((s) => s.text === "after the outage", 20_000);
    const all = (await alice.messages(room)).filter((x) => /during the outage/.test(x.content?.body ?? ""));
    assert.deepEqual(
      all.map((x) => x.content.body),
      ["carol: during the outage 1", "carol: during the outage 2"],
    );
    assert.equal(got.length, 2);
  });

  it("answers a command from Matrix as m.notice; a command said while crier was down is relayed but not run", async () => {
    const ping = await alice.sendText(room, "!ping");
    const [pong] = await alice.waitFor(room, (x) => x.sender === bot.userId && x.content?.body === "pong");
    assert.equal(pong.content.msgtype, "m.notice");
    await t.close();
    const missed = await alice.sendText(room, "!ping");
    await start();
    await alice.sendText(room, "back");
    await t.console.waitFor((s) => s.text === "back", 20_000);
    const pongs = (await alice.messages(room)).filter((x) => x.sender === bot.userId && x.content?.body === "pong");
    assert.equal(pongs.length, 1, "only the live command was answered");
    assert.ok(ping && missed);
  });

  it("crier stopped, five messages sent, crier started: all five relayed once, in order", async () => {
    await t.close();
    for (let i = 1; i <= 5; i++) await alice.sendText(room, `missed ${i}`);
    await start();
    // A marker said after them: anything doubled would have arrived before it.
    await alice.sendText(room, "marker");
    await t.console.waitFor((s) => s.text === "marker", 20_000);
    assert.deepEqual(
      t.console.sent.filter((s) => s.text.startsWith("missed")).map((s) => s.text),
      ["missed 1", "missed 2", "missed 3", "missed 4", "missed 5"],
    );
  });
});
