/** The IRC adapter against a real InspIRCd, with real IRC clients on the other side. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseIrc, renderIrc } from "../../../src/adapters/irc/format.js";
import { toPlain } from "../../../src/core/richtext.js";
import { type InspIRCd, startInspIRCd } from "../../testbed/inspircd.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import { makeIrcAdapter, tempStore, relay } from "./harness.js";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("IRC adapter against InspIRCd", () => {
  let server: InspIRCd;
  before(async () => {
    server = await startInspIRCd();
  });
  after(async () => server?.stop());

  it("relays a 2,000-byte mixed ASCII/CJK/emoji message intact, every relayed line within 512 bytes", async () => {
    const bob = new RawIrcClient("bob", server.port);
    await bob.connect();
    await bob.join("#long");
    const irc = makeIrcAdapter(server.port, ["#long"]);
    await irc.start();
    try {
      await irc.waitJoined("#long");
      const unit = "crier relays 漢字かな交じり文 and emoji 😀🎉 without breaking them; ";
      let text = "";
      while (bytes(text) < 2000) text += unit;
      const res = await irc.adapter.send(relay("#long", text));
      assert.ok(res.nativeIds.length >= 5, "split into several lines");
      await waitUntil("all lines at bob", () => bob.messages("crier").length === res.nativeIds.length);
      const raw = bob.lines.filter((l) => / PRIVMSG #long /.test(l)).map((l) => l.replace(/^@\S+ /, ""));
      for (const l of raw) {
        assert.ok(bytes(l) + 2 <= 512, `line of ${bytes(l) + 2} bytes`);
        assert.ok(!l.includes("\uFFFD"), "no broken character");
      }
      assert.ok(
        raw.every((l) => /^\S+ PRIVMSG #long :<\x03\d\dm\u200bx_user\x03> /.test(l)),
        "every piece names the sender",
      );
      const joined = raw.map((l) => l.replace(/^\S+ PRIVMSG #long :<\x03\d\dm\u200bx_user\x03> /, "")).join(" ");
      assert.equal(joined.replace(/\s+/g, ""), text.replace(/\s+/g, ""));
      assert.ok(
        res.nativeIds.every((id) => /~/.test(id)),
        "ids are the server's msgids (echo-message)",
      );
    } finally {
      await irc.adapter.stop();
      bob.close();
    }
  });

  it("never turns CR, LF, NUL or CTCP in relayed text into a command", async () => {
    const bob = new RawIrcClient("bob2", server.port);
    await bob.connect();
    await bob.join("#inject");
    const irc = makeIrcAdapter(server.port, ["#inject"], { maxLinesPerMessage: 10 });
    await irc.start();
    try {
      await irc.waitJoined("#inject");
      const hostile =
        "one\rQUIT :pwned\ntwo\r\nJOIN 0\rMODE #inject +o bob2\nNICK evil\0three \x01DCC SEND x 2130706433 6667 1\x01 \x01VERSION\x01";
      const res = await irc.adapter.send(relay("#inject", hostile, "eve\r\nQUIT"));
      await waitUntil("lines at bob", () => bob.messages("crier").length === res.nativeIds.length);
      const seen = bob.lines.filter((l) => l.includes(":crier!") && !/ JOIN :#inject$/.test(l));
      assert.ok(
        seen.every((l) => / PRIVMSG #inject :/.test(l)),
        seen.join("\n"),
      );
      assert.ok(!seen.some((l) => l.includes("\x01")), "no CTCP reached bob");
      assert.equal(res.nativeIds.length, 6, `one visible message per line of text: ${JSON.stringify(seen)}`);
      assert.equal(irc.adapter.state(), "connected");
      assert.equal(irc.adapter.selfName(), "crier");
      // What the server itself received from crier's connection: its relayed lines, and no injected command.
      const all = server.inputOf("crier");
      const input = all.slice(all.lastIndexOf("JOIN #inject"));
      assert.equal(input.filter((l) => l.startsWith("PRIVMSG #inject :")).length, 6, input.join("\n"));
      assert.ok(
        !input.some((l) => /^(QUIT|NICK evil|JOIN 0|MODE #inject)/.test(l)),
        `the server received no injected command: ${input.join("\n")}`,
      );
    } finally {
      await irc.adapter.stop();
      bob.close();
    }
  });

  it("writes no queued line once the instance may no longer act: a pause past a takeover sends nothing late", async () => {
    const bob = new RawIrcClient("bob6", server.port);
    await bob.connect();
    await bob.join("#fence");
    let active = true;
    const irc = makeIrcAdapter(server.port, ["#fence"], { burst: 1, lineIntervalMs: 150 }, tempStore(), {
      mayAct: () => active,
    });
    await irc.start();
    try {
      await irc.waitJoined("#fence");
      const outcomes = Array.from({ length: 10 }, (_, i) =>
        irc.adapter.send(relay("#fence", `queued ${i}`)).then(
          () => "sent",
          (err: Error) => err.name,
        ),
      );
      await waitUntil("the first line at bob", () => bob.messages("crier").length >= 1);
      active = false;
      const settled = await Promise.all(outcomes);
      await new Promise((r) => setTimeout(r, 500));
      const got = bob.messages("crier").length;
      assert.ok(got >= 1 && got < 10, `${got} of 10 lines written`);
      assert.deepEqual(settled, [...Array(got).fill("sent"), ...Array(10 - got).fill("FencedError")]);
      assert.equal(irc.adapter.state(), "connected", "the connection itself is left alone");
    } finally {
      await irc.adapter.stop();
      bob.close();
    }
  });

  it("sends 100 messages in order at the configured pace without being disconnected", async () => {
    const bob = new RawIrcClient("bob3", server.port);
    await bob.connect();
    await bob.join("#burst");
    const irc = makeIrcAdapter(server.port, ["#burst"], { burst: 5, lineIntervalMs: 30 });
    await irc.start();
    try {
      await irc.waitJoined("#burst");
      const t0 = Date.now();
      for (let i = 0; i < 100; i++) await irc.adapter.send(relay("#burst", `message ${i}`));
      await waitUntil("100 at bob", () => bob.messages("crier").length === 100);
      const got = bob.messages("crier").map((l) => /message (\d+)$/.exec(l)?.[1]);
      assert.deepEqual(
        got,
        Array.from({ length: 100 }, (_, i) => String(i)),
      );
      assert.equal(irc.adapter.state(), "connected");
      console.log(`irc pacing: 100 lines in ${Date.now() - t0} ms (burst 5, one line per 30 ms)`);
    } finally {
      await irc.adapter.stop();
      bob.close();
    }
  });

  it("takes the alternate nick when its nick is taken, and regains it when free", async () => {
    const squatter = new RawIrcClient("crier", server.port);
    await squatter.connect();
    const irc = makeIrcAdapter(server.port, ["#nick"], { altNick: "crier_alt" });
    await irc.start();
    try {
      await waitUntil("registered", () => irc.adapter.state() === "connected");
      assert.equal(irc.adapter.selfName(), "crier_alt");
      squatter.close();
      await waitUntil("nick regained", () => irc.adapter.selfName() === "crier", 10_000);
    } finally {
      await irc.adapter.stop();
    }
  });

  it("parses formatting from a real client and renders it back the same", async () => {
    const alice = new RawIrcClient("alice", server.port);
    await alice.connect();
    await alice.join("#fmt");
    const irc = makeIrcAdapter(server.port, ["#fmt"]);
    await irc.start();
    try {
      await irc.waitJoined("#fmt");
      const formatted = "\x02bold\x02 \x1ditalic\x1d \x0304red\x03 \x11mono\x11 \x1funder\x1f \x1estrike\x1e";
      alice.say("#fmt", formatted);
      await waitUntil("message seen", () => irc.messages().some((m) => toPlain(m.body).startsWith("bold")));
      const m = irc.messages().find((e) => toPlain(e.body).startsWith("bold"))!;
      // With the per-account `monospace: true`; by default code goes out in backticks (see test/unit/adapters/irc).
      assert.equal(renderIrc(m.body, { monospace: true }).join(""), formatted);
      assert.deepEqual(renderIrc(parseIrc(formatted), { monospace: true }), [formatted]);
      assert.equal(m.sender.name, "alice");
      assert.match(m.id, /~/);
    } finally {
      await irc.adapter.stop();
      alice.close();
    }
  });

  it("answers CTCP VERSION, ignores other CTCP, and marks its own channel's admins", async () => {
    const carol = new RawIrcClient("carol", server.port);
    await carol.connect();
    await carol.join("#ops");
    const irc = makeIrcAdapter(server.port, ["#ops"]);
    await irc.start();
    try {
      await irc.waitJoined("#ops");
      carol.say("crier", "\x01DCC SEND x 2130706433 6667 1\x01");
      carol.say("crier", "\x01VERSION\x01");
      await carol.waitFor(/NOTICE carol :\x01VERSION crier/);
      assert.ok(!carol.lines.some((l) => /DCC/.test(l) && l.includes(":crier!")));
      assert.equal(
        await irc.adapter.isRoomAdmin(
          { account: "irc.test", id: "carol", name: "carol" },
          { account: "irc.test", room: "#ops" },
        ),
        true,
      );
      assert.equal(
        await irc.adapter.isRoomAdmin(
          { account: "irc.test", id: "nobody", name: "nobody" },
          { account: "irc.test", room: "#ops" },
        ),
        false,
      );
    } finally {
      await irc.adapter.stop();
      carol.close();
    }
  });

  it("reconnects and rejoins after the server is killed and restarted, and sends again", async () => {
    const irc = makeIrcAdapter(server.port, ["#restart"]);
    await irc.start();
    try {
      await irc.waitJoined("#restart");
      await server.kill();
      await waitUntil("disconnect noticed", () => irc.adapter.state() !== "connected");
      await assert.rejects(irc.adapter.send(relay("#restart", "while down")), /not connected/);
      await server.start();
      await irc.waitJoined("#restart");
      const dave = new RawIrcClient("dave", server.port);
      await dave.connect();
      await dave.join("#restart");
      await irc.adapter.send(relay("#restart", "back again"));
      await dave.waitFor(/back again/);
      dave.close();
    } finally {
      await irc.adapter.stop();
    }
  });

  it("relays lines said while it was away (chanhistory) once, as backfill with stable ids", async () => {
    const erin = new RawIrcClient("erin", server.port);
    await erin.connect();
    await erin.join("#history");
    erin.say("#history", "said before crier came");
    erin.say("#history", "and another line");
    await new Promise((r) => setTimeout(r, 1100));
    const first = makeIrcAdapter(server.port, ["#history"]);
    await first.start();
    await first.waitJoined("#history");
    await waitUntil("history replayed", () => first.messages().length === 2);
    assert.ok(first.messages().every((m) => m.backfill === true));
    erin.say("#history", "live line");
    await waitUntil("live line", () => first.messages().length === 3);
    assert.equal(first.messages()[2].backfill, undefined);
    await first.adapter.stop();
    // A second stay replays the same history with the same ids: the relay's message map drops them.
    const second = makeIrcAdapter(server.port, ["#history"]);
    await second.start();
    await second.waitJoined("#history");
    await waitUntil("history replayed again", () => second.messages().length === 3);
    assert.deepEqual(
      second.messages().map((m) => m.id),
      first.messages().map((m) => m.id),
    );
    await second.adapter.stop();
    erin.close();
  });
});
