/**
 * The pure parts of appservice mode: ghost user ids in the Matrix user-id grammar (distinct puppets never share
 * one, long ones are cut with a hash), display names cleaned, the hs_token check's answers, and how a pushed event
 * becomes the one-event /sync batch the SyncHandler reads.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import fc from "fast-check";
import { asSyncBatch, checkHsToken, withFingerprint } from "../../../../src/adapters/matrix/appservice.js";
import {
  escapePart,
  ghostDisplayName,
  ghostLocalpart,
  ghostPillsToRemote,
} from "../../../../src/adapters/matrix/ghosts.js";
import type { ChatEvent, UserRef } from "../../../../src/core/model.js";
import type { RichText } from "../../../../src/core/richtext.js";

const LOCALPART = /^[a-z0-9._=\-/]+$/;

describe("ghost user ids", () => {
  it("are the prefix and the escaped parts joined by _", () => {
    assert.equal(
      ghostLocalpart("crier_", { id: ["irc", "libera", "alice"], displayName: "alice" }),
      "crier_irc_libera_alice",
    );
    assert.equal(
      ghostLocalpart("crier_", { id: ["discord", "80351110224678912"], displayName: "d" }),
      "crier_discord_80351110224678912",
    );
  });

  it("escape everything outside a-z 0-9 . - / as =xx, _ and = and upper case included", () => {
    assert.equal(escapePart("~Ivan_"), "=7e=49van=5f");
    assert.equal(escapePart("a=b"), "a=3db");
    assert.equal(escapePart("é"), "=c3=a9");
    assert.equal(escapePart("x.y-z/1"), "x.y-z/1");
  });

  it("keep distinct puppets distinct and stay in the grammar (property)", () => {
    const part = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" });
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 4 }),
        fc.array(part, { minLength: 1, maxLength: 4 }),
        (a, b) => {
          const la = ghostLocalpart("crier_", { id: a, displayName: "" });
          const lb = ghostLocalpart("crier_", { id: b, displayName: "" });
          assert.match(la, LOCALPART);
          if (JSON.stringify(a) !== JSON.stringify(b)) assert.notEqual(la, lb);
        },
      ),
    );
  });

  it("cut a very long id to 200 characters with a hash of the whole, still distinct", () => {
    const a = ghostLocalpart("crier_", { id: ["irc", "x".repeat(500)], displayName: "" });
    const b = ghostLocalpart("crier_", { id: ["irc", `${"x".repeat(499)}y`], displayName: "" });
    assert.equal(a.length, 200);
    assert.match(a, LOCALPART);
    assert.notEqual(a, b);
  });

  it("display names lose control characters and are cut, never empty", () => {
    assert.equal(ghostDisplayName({ id: ["irc", "n", "ivan"], displayName: "ivan\u0007\u202e (IRC)" }), "ivan  (IRC)");
    assert.equal(ghostDisplayName({ id: ["discord", "42"], displayName: " \u0000 " }), "42");
    assert.equal(ghostDisplayName({ id: ["x"], displayName: "n".repeat(300) }).length, 200);
  });
});

describe("the hs_token check", () => {
  const req = (headers: Record<string, string>, url = "/_matrix/app/v1/transactions/1") =>
    ({ headers, url }) as unknown as IncomingMessage;

  it("lets the right token through, as a header or the old query parameter", () => {
    assert.equal(checkHsToken(req({ authorization: "Bearer sekrit" }), "sekrit"), undefined);
    assert.equal(checkHsToken(req({}, "/transactions/1?access_token=sekrit"), "sekrit"), undefined);
  });

  it("answers 401 without a token and 403 M_FORBIDDEN with a wrong one", () => {
    assert.equal(checkHsToken(req({}), "sekrit")?.status, 401);
    assert.equal(checkHsToken(req({ authorization: "Basic x" }), "sekrit")?.status, 401);
    const wrong = checkHsToken(req({ authorization: "Bearer sekrix" }), "sekrit");
    assert.equal(wrong?.status, 403);
    assert.equal(wrong?.body.errcode, "M_FORBIDDEN");
    assert.equal(checkHsToken(req({ authorization: "Bearer s" }), "sekrit")?.status, 403, "another length");
  });
});

describe("a pushed event as a /sync batch", () => {
  const self = "@crier:example.org";
  it("is an invitation when it invites crier's bot", () => {
    const ev = {
      type: "m.room.member",
      state_key: self,
      sender: "@a:x",
      event_id: "$1",
      room_id: "!r",
      content: { membership: "invite" },
    };
    assert.deepEqual(asSyncBatch(ev, self), { rooms: { invite: { "!r": { invite_state: { events: [ev] } } } } });
  });
  it("is a joined room's timeline otherwise", () => {
    const ev = { type: "m.room.message", sender: "@a:x", event_id: "$2", room_id: "!r", content: { body: "hi" } };
    assert.deepEqual(asSyncBatch(ev, self), { rooms: { join: { "!r": { timeline: { events: [ev] } } } } });
  });
});

describe("a pill of a ghost", () => {
  const ivan: UserRef = { account: "irc.net", id: "ivan", name: "ivan" };
  const remotes = new Map([["@crier_irc_net_ivan:x", ivan]]);
  const isGhost = (id: string) => id.startsWith("@crier_");
  const message = (body: RichText) =>
    ({
      kind: "message",
      id: "$1",
      room: { account: "matrix.hs", room: "!r" },
      sender: ivan,
      body,
      at: new Date(0),
    }) as ChatEvent;

  it("means the remote person it relays; other pills and unknown ghosts stay", async () => {
    const pill = (id: string, name: string) => ({
      t: "mention" as const,
      name,
      user: { account: "matrix.hs", id, name },
    });
    const ev = message([
      pill("@crier_irc_net_ivan:x", "ivan (IRC)"),
      { t: "text", text: ": hi " },
      { t: "bold", children: [pill("@alice:x", "alice")] },
      pill("@crier_discord_9:x", "gone"),
    ]);
    const out = await ghostPillsToRemote(ev, isGhost, async (id) => remotes.get(id));
    assert.deepEqual((out as { body: unknown }).body, [
      { t: "mention", name: "ivan", user: ivan },
      { t: "text", text: ": hi " },
      { t: "bold", children: [pill("@alice:x", "alice")] },
      pill("@crier_discord_9:x", "gone"),
    ]);
  });

  it("stays a pill when the store cannot answer", async () => {
    const ev = message([
      { t: "mention", name: "ivan (IRC)", user: { account: "matrix.hs", id: "@crier_irc_net_ivan:x", name: "i" } },
    ]);
    const out = await ghostPillsToRemote(ev, isGhost, async () => {
      throw new Error("store down");
    });
    assert.equal(out, ev);
  });
});

describe("a transaction's key", () => {
  const body = (...ids: string[]) => ({
    events: ids.map((event_id) => ({ event_id, unsigned: { age: Math.random() } })),
  });
  it("is its id and its events: a retry matches, a reused id with other events does not", () => {
    const a = withFingerprint("/_matrix/app/v1/transactions/7", body("$a", "$b"));
    assert.match(a, /^\/_matrix\/app\/v1\/transactions\/7\.[0-9a-f]{16}$/);
    assert.equal(withFingerprint("/_matrix/app/v1/transactions/7", body("$a", "$b")), a, "ages differ, events do not");
    assert.notEqual(withFingerprint("/_matrix/app/v1/transactions/7", body("$c")), a);
    assert.match(
      withFingerprint("/transactions/7?access_token=x", body()),
      /^\/transactions\/7\.[0-9a-f]{16}\?access_token=x$/,
    );
  });
});
