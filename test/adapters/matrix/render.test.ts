/** What the Matrix adapter sends (pure render) and how it reads raw events (pure inbound). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toChatEvent, stripReplyFallback } from "../../../src/adapters/matrix/inbound.js";
import { mediaToken, mediaUrl } from "../../../src/adapters/matrix/media.js";
import { matrixPlatform } from "../../../src/adapters/matrix/index.js";
import { renderMatrixContents, renderMatrixEdit } from "../../../src/adapters/matrix/render.js";
import type { OutgoingMessage } from "../../../src/core/adapter.js";
import { fromPlain } from "../../../src/core/richtext.js";

const opts = { senderTemplate: "<b>{name}</b>: " };
const msg = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  room: "!r",
  body: fromPlain("hello"),
  kind: "relay",
  sender: { name: "<i>eve</i>" },
  idempotencyKey: "k1",
  ...extra,
});

describe("Matrix render", () => {
  it("relays as m.text under the sender template, the name escaped, nobody pinged", () => {
    const [c] = renderMatrixContents(msg(), opts);
    assert.equal(c.msgtype, "m.text");
    assert.equal(c.body, "<i>eve</i>: hello");
    assert.equal(c.formatted_body, "<strong>&lt;i&gt;eve&lt;/i&gt;</strong>: hello");
    assert.deepEqual(c["m.mentions"], {});
  });

  it("keeps names from faking lines or flipping text", () => {
    const [c] = renderMatrixContents(msg({ sender: { name: "mallory\n<admin>: trust me\u202e" } }), opts);
    assert.equal(c.body, "mallory <admin>: trust me: hello");
    assert.ok(!String(c.formatted_body).includes("\u202e"));
  });

  it("uses m.notice for crier's words and m.emote for actions", () => {
    assert.equal(renderMatrixContents(msg({ kind: "notice", sender: undefined }), opts)[0].msgtype, "m.notice");
    const [emote] = renderMatrixContents(msg({ action: true }), opts);
    assert.equal(emote.msgtype, "m.emote");
    assert.equal(emote.body, "<i>eve</i> hello");
  });

  it("makes pills for mentions but lists only allowed ones in m.mentions", () => {
    const body = [
      { t: "mention" as const, name: "Bob", user: { account: "m", id: "@bob:s", name: "Bob" } },
      { t: "text" as const, text: " and " },
      { t: "mention" as const, name: "Carol", user: { account: "m", id: "@carol:s", name: "Carol" } },
    ];
    const [c] = renderMatrixContents(msg({ body, allowedMentions: ["@bob:s"] }), opts);
    assert.match(String(c.formatted_body), /<a href="https:\/\/matrix.to\/#\/%40bob:s">Bob<\/a>/);
    assert.match(String(c.formatted_body), /<a href="https:\/\/matrix.to\/#\/%40carol:s">Carol<\/a>/);
    assert.deepEqual(c["m.mentions"], { user_ids: ["@bob:s"] });
  });

  it("points replies at the native event and splits contents over the size limit", () => {
    const line = `${"x".repeat(999)}\n`;
    const parts = renderMatrixContents(msg({ body: fromPlain(line.repeat(150)), replyToNativeId: "$e" }), opts);
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    for (const p of parts) assert.ok(Buffer.byteLength(JSON.stringify(p)) <= 60_000);
    assert.deepEqual(parts[0]["m.relates_to"], { "m.in_reply_to": { event_id: "$e" } });
    assert.equal(parts[1]["m.relates_to"], undefined);
    assert.ok(parts.every((p) => p.body.startsWith("<i>eve</i>: ")));
    const one = renderMatrixContents(msg({ body: fromPlain("é".repeat(70_000)) }), opts);
    assert.ok(one.length >= 3);
    assert.equal(one.map((p) => p.body.replace("<i>eve</i>: ", "")).join(""), "é".repeat(70_000));
  });

  it("edits with m.new_content and an m.replace relation", () => {
    const [c] = renderMatrixContents(msg(), opts);
    const e = renderMatrixEdit(c, "$orig");
    assert.deepEqual(e["m.relates_to"], { rel_type: "m.replace", event_id: "$orig" });
    assert.equal((e["m.new_content"] as { body: string }).body, "<i>eve</i>: hello");
    assert.ok(e.body.startsWith("* "));
  });

  it("is what the platform module renders", () => {
    assert.deepEqual(matrixPlatform.render(msg()), renderMatrixContents(msg(), opts));
  });
});

describe("Matrix inbound", () => {
  const ctx = {
    account: "matrix.t",
    sender: { account: "matrix.t", id: "@a:s", name: "A" },
    mediaUrl: (mxc: string, name: string) => mediaUrl(mxc, name, { homeserver: "https://hs.example" }),
    receivedAt: Date.now(),
  };
  const ev = (type: string, content: Record<string, unknown>, extra = {}) => ({
    event_id: "$1",
    type,
    sender: "@a:s",
    origin_server_ts: 1_700_000_000_000,
    content,
    ...extra,
  });

  it("strips the quoted fallback of replies", () => {
    assert.equal(stripReplyFallback("> <@b:s> old\n> more\n\nnew text"), "new text");
    assert.equal(stripReplyFallback("plain"), "plain");
    const e = toChatEvent(
      "!r",
      ev("m.room.message", {
        msgtype: "m.text",
        body: "> <@b:s> old\n\nnew",
        "m.relates_to": { "m.in_reply_to": { event_id: "$0" } },
      }),
      ctx,
    );
    assert.equal(e?.kind, "message");
    assert.deepEqual(e?.kind === "message" && [e.replyTo, e.body], ["$0", [{ t: "text", text: "new" }]]);
  });

  it("reads emotes, notices, edits, redactions and reactions with their true sender and room", () => {
    const emote = toChatEvent("!r", ev("m.room.message", { msgtype: "m.emote", body: "waves" }), ctx);
    assert.ok(emote?.kind === "message" && emote.action);
    const notice = toChatEvent("!r", ev("m.room.message", { msgtype: "m.notice", body: "bot" }), ctx);
    assert.ok(notice?.kind === "message" && notice.notice);
    const edit = toChatEvent(
      "!r",
      ev("m.room.message", {
        msgtype: "m.text",
        body: "* new",
        "m.new_content": { msgtype: "m.text", body: "new" },
        "m.relates_to": { rel_type: "m.replace", event_id: "$0" },
      }),
      ctx,
    );
    assert.deepEqual(edit?.kind === "edit" && [edit.targetId, edit.body, edit.sender.id, edit.room], [
      "$0",
      [{ t: "text", text: "new" }],
      "@a:s",
      { account: "matrix.t", room: "!r" },
    ]);
    const elsewhere = toChatEvent(
      "!other",
      ev("m.room.message", {
        msgtype: "m.text",
        body: "* x",
        "m.relates_to": { rel_type: "m.replace", event_id: "$0" },
      }),
      { ...ctx, sender: { account: "matrix.t", id: "@b:s", name: "B" } },
    );
    assert.deepEqual(elsewhere?.kind === "edit" && [elsewhere.room.room, elsewhere.sender.id, elsewhere.body], [
      "!other",
      "@b:s",
      [{ t: "text", text: "x" }],
    ]);
    const del = toChatEvent("!r", ev("m.room.redaction", {}, { redacts: "$0" }), ctx);
    assert.deepEqual(del?.kind === "delete" && [del.targetId, del.sender.id], ["$0", "@a:s"]);
    const r = toChatEvent(
      "!r",
      ev("m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: "$0", key: "👍" } }),
      ctx,
    );
    assert.deepEqual(r?.kind === "reaction" && [r.targetId, r.emoji], ["$0", "👍"]);
  });

  it("turns images and files into links people can open", () => {
    const img = toChatEvent(
      "!r",
      ev("m.room.message", {
        msgtype: "m.image",
        body: "cat.png",
        url: "mxc://s.example/AbC123",
        info: { mimetype: "image/png", size: 42 },
      }),
      ctx,
    );
    assert.ok(img?.kind === "message");
    assert.deepEqual(img.attachments, [
      {
        url: "https://hs.example/_matrix/client/v1/media/download/s.example/AbC123/cat.png",
        name: "cat.png",
        mime: "image/png",
        size: 42,
      },
    ]);
    const key = Buffer.alloc(32, 7);
    const token = mediaToken(key, "matrix", { server: "s", mediaId: "Id" });
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(
      mediaUrl("mxc://s/Id", "a b.txt", { homeserver: "https://hs", publicUrl: "https://crier.example/", key }),
      `https://crier.example/matrix-media/matrix/s/Id/${token}/a%20b.txt`,
    );
    assert.notEqual(mediaToken(key, "matrix", { server: "s", mediaId: "Other" }), token, "one token per file");
    assert.notEqual(mediaToken(Buffer.alloc(32, 8), "matrix", { server: "s", mediaId: "Id" }), token, "per key");
    // Without the link key (not loaded yet) no crier link is made: the homeserver's own URL is the fallback.
    assert.match(mediaUrl("mxc://s/Id", "x", { homeserver: "https://hs", publicUrl: "https://c" })!, /^https:\/\/hs\//);
    assert.equal(mediaUrl("mxc://s/../etc", "x", { homeserver: "https://hs" }), undefined);
  });
});
