/** The Matrix adapter against a real Synapse, with real Matrix users on the other side. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseMatrixHtml } from "../../../src/adapters/matrix/html-parse.js";
import { mediaKey, mediaToken } from "../../../src/adapters/matrix/media.js";
import { matrixMediaAnswer } from "../../../src/adapters/matrix/media-route.js";
import type { MessageEvent } from "../../../src/core/model.js";
import type { RichText } from "../../../src/core/richtext.js";
import type { MatrixTestUser, RawEvent } from "../../testbed/synapse-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { startLossyProxy } from "../../testbed/synapse-proxy.js";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";
import { type Harness, makeMatrixAdapter, relay } from "./harness.js";

const ALLOWED_TAGS = /<\/?(strong|em|u|del|code|pre|blockquote|br|a|span|font)(\s[^>]*)?>/g;

describe("Matrix adapter against Synapse", () => {
  let server: Synapse;
  let bot: MatrixTestUser;
  let alice: MatrixTestUser;
  let bob: MatrixTestUser;
  let h: Harness;
  let room: string;
  let other: string;
  const byBot = (e: RawEvent) => e.sender === bot.userId && e.type === "m.room.message";

  before(async () => {
    server = await startSynapse();
    bot = await server.register("crier");
    alice = await server.register("alice");
    bob = await server.register("bob");
    room = await alice.createRoom({ invite: [bot.userId, bob.userId], alias: "main" });
    other = await alice.createRoom({ invite: [bot.userId, bob.userId] });
    await bob.join(room);
    await bob.join(other);
    h = await makeMatrixAdapter(
      { homeserver: server.url, userId: bot.userId, password: bot.password, rooms: ["#main:localhost", other] },
      ["matrix.test:@alice:localhost"],
    );
    await h.start();
  });
  after(async () => {
    await h?.close();
    await server?.stop();
  });

  it("reports rooms under their configured name and knows who it is", async () => {
    const id = await alice.sendText(room, "hello crier");
    const [e] = await h.waitEvents((x) => x.kind === "message" && x.id === id);
    assert.deepEqual(e.room, { account: "matrix.test", room: "#main:localhost" });
    assert.equal(h.adapter.selfName(), "crier");
    assert.equal(h.adapter.state(), "connected");
  });

  it("keeps bold, italic, code, code block, link, quote and a pill through Matrix → RichText → Matrix", async () => {
    const html =
      '<strong>bold</strong> <em>italic</em> <code>x &lt; y</code> <a href="https://example.org/a?b=1&amp;c=2">link</a> ' +
      '<a href="https://matrix.to/#/@bob:localhost">Bob</a><pre><code class="language-ts">const a = 1;\n</code></pre>' +
      "<blockquote>quoted</blockquote>";
    const id = await alice.sendHtml(room, "formatted", html);
    const [e] = (await h.waitEvents((x) => x.kind === "message" && x.id === id)) as MessageEvent[];
    const expected: RichText = [
      { t: "bold", children: [{ t: "text", text: "bold" }] },
      { t: "text", text: " " },
      { t: "italic", children: [{ t: "text", text: "italic" }] },
      { t: "text", text: " " },
      { t: "code", text: "x < y" },
      { t: "text", text: " " },
      { t: "link", url: "https://example.org/a?b=1&c=2", children: [{ t: "text", text: "link" }] },
      { t: "text", text: " " },
      { t: "mention", name: "Bob", user: { account: "matrix.test", id: "@bob:localhost", name: "Bob" } },
      { t: "br" },
      { t: "codeblock", text: "const a = 1;", lang: "ts" },
      { t: "br" },
      { t: "quote", children: [{ t: "text", text: "quoted" }] },
    ];
    assert.deepEqual(e.body, expected);
    const { nativeIds } = await h.adapter.send({
      ...relay(other, ""),
      body: e.body,
      allowedMentions: ["@bob:localhost"],
    });
    const [seen] = await bob.waitFor(other, (x) => x.event_id === nativeIds[0]);
    const back = parseMatrixHtml(seen.content.formatted_body, { account: "matrix.test" });
    assert.deepEqual(back.slice(2), expected, seen.content.formatted_body);
    assert.deepEqual(seen.content["m.mentions"], { user_ids: ["@bob:localhost"] });
  });

  it("makes scripts, iframes, javascript: links, a forged mx-reply and @room inert", async () => {
    const hostile: RichText = [
      { t: "text", text: '<script>alert(1)</script><iframe src="https://evil.example"></iframe>' },
      { t: "link", url: "javascript:alert(document.cookie)", children: [{ t: "text", text: "click" }] },
      { t: "text", text: ' <mx-reply><blockquote>forged</blockquote></mx-reply> @room "q" & done' },
    ];
    const { nativeIds } = await h.adapter.send({ ...relay(other, "", "<b>mallory</b> @room"), body: hostile });
    const [seen] = await bob.waitFor(other, (x) => x.event_id === nativeIds[0]);
    const out = String(seen.content.formatted_body);
    assert.equal(out.replace(ALLOWED_TAGS, "").includes("<"), false, out);
    assert.ok(!/href="javascript/i.test(out), out);
    assert.ok(!/@room/i.test(out) && !/@room/i.test(seen.content.body), out);
    assert.deepEqual(seen.content["m.mentions"], {});
    assert.ok(out.includes("&lt;mx-reply&gt;"), out);
    // And inbound, the same payload as HTML from a person is read as text only.
    const id = await alice.sendHtml(
      room,
      "x",
      '<mx-reply><blockquote>fake quote</blockquote></mx-reply><script>alert(1)</script><iframe src="https://evil"></iframe><a href="javascript:x()">j</a>ok',
    );
    const [e] = (await h.waitEvents((x) => x.kind === "message" && x.id === id)) as MessageEvent[];
    assert.deepEqual(e.body, [{ t: "text", text: "jok" }]);
  });

  it("mirrors edit, reply and redaction of a relayed message", async () => {
    const first = await h.adapter.send(relay(other, "first version", "dave"));
    const editMsg = relay(other, "second version", "dave");
    await h.adapter.edit(other, first.nativeIds, editMsg);
    const [edit] = await bob.waitFor(other, (x) => x.content?.["m.relates_to"]?.event_id === first.nativeIds[0]);
    assert.equal(edit.content["m.relates_to"].rel_type, "m.replace");
    assert.equal(edit.content["m.new_content"].body, "dave: second version");
    const reply = await h.adapter.send(relay(other, "an answer", "erin", { replyToNativeId: first.nativeIds[0] }));
    const [r] = await bob.waitFor(other, (x) => x.event_id === reply.nativeIds[0]);
    assert.equal(r.content["m.relates_to"]["m.in_reply_to"].event_id, first.nativeIds[0]);
    await h.adapter.delete(other, first.nativeIds);
    await bob.waitFor(other, (x) => x.type === "m.room.redaction" && x.redacts === first.nativeIds[0]);
    const gone = (await bob.messages(other)).find((x) => x.event_id === first.nativeIds[0]);
    assert.deepEqual(gone?.content, {});
    await h.adapter.react(other, reply.nativeIds[0], "👍");
    await bob.waitFor(other, (x) => x.type === "m.reaction" && x.content["m.relates_to"]?.key === "👍");
  });

  it("reports edits, replies, redactions and reactions with their true sender and room", async () => {
    const orig = await alice.sendText(room, "original words");
    await alice.edit(room, orig, "better words");
    const forged = await bob.edit(room, orig, "bob rewrites alice");
    // Synapse itself refuses a relation to an event of another room (one arriving over federation would still be
    // reported with the room it came in, for the relay to refuse; see render.test.ts).
    await assert.rejects(bob.edit(other, orig, "from another room"), /same room/);
    const reply = await bob.reply(room, orig, "I agree", `> <${alice.userId}> original words`);
    await bob.react(room, orig, "🎉");
    await alice.redact(room, orig);
    const evs = await h.waitEvents((x) => "targetId" in x && x.targetId === orig, 4);
    const edits = evs.filter((x) => x.kind === "edit");
    assert.deepEqual(
      edits.map((x) => [x.sender.id, x.room.room, x.kind === "edit" && x.body]),
      [
        ["@alice:localhost", "#main:localhost", [{ t: "text", text: "better words" }]],
        ["@bob:localhost", "#main:localhost", [{ t: "text", text: "bob rewrites alice" }]],
      ],
    );
    assert.ok(edits[1].kind === "edit" && edits[1].id === forged);
    const [rep] = (await h.waitEvents((x) => x.kind === "message" && x.id === reply)) as MessageEvent[];
    assert.equal(rep.replyTo, orig);
    assert.deepEqual(rep.body, [{ t: "text", text: "I agree" }]);
    assert.ok(evs.some((x) => x.kind === "reaction" && x.emoji === "🎉" && x.sender.id === "@bob:localhost"));
    assert.ok(evs.some((x) => x.kind === "delete" && x.sender.id === "@alice:localhost"));
  });

  it("turns an image into a link crier's web server can answer with crier's token", async () => {
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6e5b40000000049454e44ae426082",
      "hex",
    );
    const mxc = await alice.upload(png, "image/png", "dot.png");
    const id = await alice.send(room, {
      msgtype: "m.image",
      body: "dot.png",
      url: mxc,
      info: { mimetype: "image/png", size: png.length },
    });
    const [e] = (await h.waitEvents((x) => x.kind === "message" && x.id === id)) as MessageEvent[];
    const [a] = e.attachments ?? [];
    assert.equal(a.name, "dot.png");
    assert.match(a.url, /\/_matrix\/client\/v1\/media\/download\/localhost\/\w+\/dot\.png$/);
    // Through crier's web server, with the file's token (the link crier makes when its web server is public).
    const mediaId = mxc.split("/").pop()!;
    const token = mediaToken(await mediaKey(h.store, "matrix.test"), "matrix.test", { server: "localhost", mediaId });
    const path = `/matrix-media/matrix.test/localhost/${mediaId}/${token}/dot.png`;
    const answer = await matrixMediaAnswer(new Map([["matrix.test", h.adapter]]), path);
    assert.equal(answer?.status, 200);
    assert.equal(answer?.headers["content-type"], "image/png");
    assert.deepEqual(answer?.body, png);
    const adapters = new Map([["matrix.test", h.adapter]]);
    const missing = await matrixMediaAnswer(adapters, `/matrix-media/matrix.test/localhost/nope/${token}`);
    assert.equal(missing?.status, 404);
    // Any other file, or this one with a made-up token, is not served: crier is no open proxy to its login's media.
    const forged = `/matrix-media/matrix.test/localhost/${mediaId}/${"A".repeat(32)}/dot.png`;
    assert.equal((await matrixMediaAnswer(adapters, forged))?.status, 404);
    assert.equal(
      await matrixMediaAnswer(adapters, `/matrix-media/matrix.test/localhost/${mediaId}/dot.png`),
      undefined,
    );
  });

  it("a send retried with the same idempotency key appears once", async () => {
    const msg = relay(other, "exactly once please");
    const a = await h.adapter.send(msg);
    const b = await h.adapter.send(msg);
    assert.deepEqual(a.nativeIds, b.nativeIds);
    const hits = await bob.waitFor(other, (x) => byBot(x) && /exactly once please/.test(x.content.body));
    assert.equal(hits.length, 1);
  });

  it("a send whose answer is lost (forced timeout) and then retried appears once", async () => {
    const proxy = await startLossyProxy(server.url);
    const p = await makeMatrixAdapter({ homeserver: proxy.url, accessToken: bot.token, rooms: [other] });
    try {
      await p.start();
      const msg = relay(other, "lost answer, one message");
      proxy.dropNextAnswer("PUT", /\/send\/m\.room\.message\//);
      await assert.rejects(p.adapter.send(msg));
      assert.equal(proxy.dropped, 1);
      const retried = await p.adapter.send(msg);
      const hits = await bob.waitFor(other, (x) => byBot(x) && /lost answer, one message/.test(x.content.body));
      assert.equal(hits.length, 1);
      assert.equal(hits[0].event_id, retried.nativeIds[0]);
    } finally {
      await p.close();
      await proxy.close();
    }
  });

  it("after downtime, everything said is delivered once, in order, marked as back-fill", async () => {
    await h.stop();
    const five: string[] = [];
    for (let i = 1; i <= 5; i++) five.push(await alice.sendText(room, `while down ${i}`));
    await h.restart();
    const got = await h.waitEvents((x) => x.kind === "message" && /^while down/.test(toText(x)), 5);
    assert.deepEqual(
      got.map((x) => (x as MessageEvent).id),
      five,
    );
    assert.ok(got.every((x) => (x as MessageEvent).backfill));
    // A gap longer than the sync timeline (limited) is back-filled from /messages.
    await h.stop();
    const many: string[] = [];
    for (let i = 1; i <= 70; i++) many.push(await bob.sendText(room, `long gap ${i}`));
    await h.restart();
    await h.waitEvents((x) => x.kind === "message" && /^long gap/.test(toText(x)), 70);
    const live = await alice.sendText(room, "live again");
    const [l] = (await h.waitEvents((x) => x.kind === "message" && x.id === live)) as MessageEvent[];
    assert.equal(l.backfill, undefined);
    // Everything before the live message: each once, in order.
    assert.deepEqual(
      h
        .messages()
        .filter((x) => /^long gap/.test(toText(x)))
        .map((x) => x.id),
      many,
    );
  });

  it("keeps the password-login token: a restart does not log in again", async () => {
    const devices = async () => (await bot.request("GET", "/_matrix/client/v3/devices")).devices.length;
    const before = await devices();
    await h.restart();
    assert.equal(await devices(), before);
  });

  it("answers isRoomAdmin from power levels", async () => {
    const r = { account: "matrix.test", room: other };
    assert.equal(await h.adapter.isRoomAdmin({ account: "matrix.test", id: bob.userId, name: "bob" }, r), false);
    await alice.setPowerLevel(other, bob.userId, 50);
    assert.equal(await h.adapter.isRoomAdmin({ account: "matrix.test", id: bob.userId, name: "bob" }, r), true);
  });

  it("declines a non-admin's invitation and accepts an admin's", async () => {
    const bobs = await bob.createRoom({ invite: [bot.userId] });
    await waitMembership(bob, bobs, bot.userId, "leave");
    const leave = (await bob.messages(bobs)).find((x) => x.type === "m.room.member" && x.sender === bot.userId);
    assert.match(String(leave?.content.reason), /administrators/);
    const alices = await alice.createRoom({ invite: [bot.userId] });
    const history = await alice.sendText(alices, "said before crier was there");
    await waitMembership(alice, alices, bot.userId, "join");
    const marker = await alice.sendText(alices, "said after crier joined");
    await h.waitEvents((x) => x.kind === "message" && x.id === marker);
    assert.ok(
      !h.events.some((x) => x.kind === "message" && x.id === history),
      "history before the join is not relayed",
    );
  });

  it("says clearly in an encrypted room that it cannot read it, and never passes its messages on silently", async () => {
    const enc = await alice.createRoom({ invite: [bot.userId], encrypted: true });
    await waitMembership(alice, enc, bot.userId, "join");
    const [notice] = await alice.waitFor(enc, (x) => byBot(x) && x.content.msgtype === "m.notice");
    assert.match(notice.content.body, /end-to-end encrypted/);
    assert.ok(h.adapter.encryptedRooms().includes(enc));
    const before = h.events.length;
    await alice.send(
      enc,
      { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgA", sender_key: "k", session_id: "s", device_id: "D" },
      "m.room.encrypted",
    );
    const marker = await alice.sendText(room, "after the encrypted one");
    await h.waitEvents((x) => x.kind === "message" && x.id === marker);
    assert.equal(h.events.slice(before).filter((x) => x.room.room === enc).length, 0);
    const notices = (await alice.messages(enc)).filter((x) => byBot(x));
    assert.equal(notices.length, 1, "told once");
    await assert.rejects(h.adapter.send(relay(enc, "would leak")), (err: Error) => err.name === "PermanentSendError");
  });

  it("splits a message over Matrix's event size limit into several events, text intact", async () => {
    const text = Array.from({ length: 1500 }, (_, i) => `line ${i} ${"x".repeat(90)}`).join("\n");
    const { nativeIds } = await h.adapter.send(relay(other, text, "writer"));
    assert.ok(nativeIds.length >= 3, `${nativeIds.length} events`);
    const got = await bob.waitFor(other, (x) => nativeIds.includes(x.event_id), nativeIds.length);
    assert.equal(got.map((x) => x.content.body.replace(/^writer: /, "")).join("\n"), text);
  });

  it("tells the room about an upgrade and does not follow it", async () => {
    const old = await alice.createRoom({ invite: [bot.userId] });
    await waitMembership(alice, old, bot.userId, "join");
    const res = await alice.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(old)}/upgrade`, {
      new_version: "11",
    });
    const [n] = await alice.waitFor(old, (x) => byBot(x) && /upgraded/.test(x.content.body));
    assert.ok(n.content.body.includes(res.replacement_room));
    assert.equal(await alice.membership(res.replacement_room, bot.userId), undefined);
  });

  it("starts even when the homeserver is unreachable, and keeps trying", async () => {
    const down = await makeMatrixAdapter({ homeserver: "http://127.0.0.1:9", accessToken: "x" });
    try {
      await down.adapter.start(() => undefined);
      assert.equal(down.adapter.state(), "disconnected");
    } finally {
      await down.close();
    }
  });
});

function toText(e: { kind: string }): string {
  const m = e as MessageEvent;
  return m.body?.map((n) => (n.t === "text" ? n.text : "")).join("") ?? "";
}

function waitMembership(user: MatrixTestUser, room: string, who: string, state: string): Promise<void> {
  return waitUntil(`${who} ${state} in ${room}`, async () => (await user.membership(room, who)) === state);
}
