/** The relay end to end through a real InspIRCd: IRC ⇄ console, across a server restart and a crier restart. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toPlain } from "../../src/core/richtext.js";
import { makeTestApp, type TestApp } from "../helpers/app.js";
import { type InspIRCd, startInspIRCd } from "../testbed/inspircd.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";

describe("relay IRC ⇄ console", () => {
  let server: InspIRCd;
  let alice: RawIrcClient;
  let t: TestApp;
  const stateDir = mkdtempSync(join(tmpdir(), "crier-e2e-irc-"));
  const config = () => ({
    accounts: {
      console: { user: "op", rooms: ["a"] },
      "irc.test": {
        host: "127.0.0.1",
        port: server.port,
        tls: false,
        nick: "crier",
        channels: ["#devel"],
        burst: 10,
        lineIntervalMs: 20,
        regainEverySec: 1,
      },
    },
    links: [
      {
        name: "devel",
        rooms: [
          { account: "console", room: "a" },
          { account: "irc.test", room: "#devel" },
        ],
      },
    ],
    http: { enabled: true, host: "127.0.0.1", port: 0, publicUrl: "http://crier.test" },
  });
  const ircJoined = () =>
    waitUntil("crier in #devel", () => {
      const a = t.app.ctx.adapters.get("irc.test") as unknown as { joined: Map<string, number>; state(): string };
      return a.state() === "connected" && a.joined.has("#devel");
    });

  before(async () => {
    server = await startInspIRCd();
    alice = new RawIrcClient("alice", server.port);
    await alice.connect();
    await alice.join("#devel");
    t = await makeTestApp(config(), { stateDir });
    await ircJoined();
  });
  after(async () => {
    await t?.close().catch(() => undefined);
    alice?.close();
    await server?.stop();
  });

  it("IRC → console: shown as the IRC sender, formatting parsed, /me kept", async () => {
    alice.say("#devel", "hello from \x02IRC\x02");
    const m = await t.console.waitFor((s) => s.text === "hello from IRC");
    assert.equal(m.msg.sender?.name, "alice");
    assert.equal(
      m.msg.body.some((n) => n.t === "bold"),
      true,
    );
    alice.say("#devel", "\x01ACTION waves\x01");
    const a = await t.console.waitFor((s) => s.text === "waves");
    assert.equal(a.msg.action, true);
  });

  it("console → IRC: `<name> text` from crier, mentions as plain names", async () => {
    await t.say("hi IRC people", { room: "a", user: "bob" });
    const line = await alice.waitFor(/PRIVMSG #devel :<\x03\d\db\u200bob\x03> hi IRC people/);
    assert.match(line, /^@\S+ :crier!/);
  });

  it("long text becomes an excerpt on IRC with a link to the whole text on crier's web page", async () => {
    const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1} of the paste`).join("\n");
    await t.say(text, { room: "a", user: "bob" });
    const last = await alice.waitFor(/… \(8 more lines: http:\/\/crier\.test\/paste\/[0-9a-f]{16}\)/).catch((err) => {
      throw new Error(`${err.message}; saw ${JSON.stringify(alice.messages("crier").slice(-6))}`);
    });
    const id = /paste\/([0-9a-f]{16})/.exec(last)![1];
    const port = t.app.features.web.port;
    const res = await fetch(`http://127.0.0.1:${port}/paste/${id}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), `bob:\n${text}`);
    assert.equal(alice.messages("crier").filter((l) => l.includes("of the paste")).length, 4);
  });

  it("messages said while the IRC server is down are delivered after it is back, once", async () => {
    await server.kill();
    await t.say("said during the outage 1", { room: "a", user: "bob" });
    await t.say("said during the outage 2", { room: "a", user: "bob" });
    await server.start();
    alice.close();
    alice = new RawIrcClient("alice", server.port);
    await alice.connect();
    await alice.join("#devel");
    await ircJoined();
    await alice.waitFor(/said during the outage 2/, 30_000);
    const got = alice.messages("crier").filter((l) => l.includes("said during the outage"));
    assert.deepEqual(
      got.map((l) => l.slice(-1)),
      ["1", "2"],
    );
  });

  it("a crier restart neither loses nor repeats", async () => {
    await t.app.stop();
    alice.say("#devel", "while crier was restarting");
    await new Promise((r) => setTimeout(r, 1100));
    t = await makeTestApp(config(), { stateDir });
    await ircJoined();
    await t.console.waitFor((s) => s.text === "while crier was restarting", 15_000);
    await t.say("after the restart", { room: "a", user: "bob" });
    await alice.waitFor(/after the restart/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(t.console.sent.filter((s) => s.text === "while crier was restarting").length, 1);
    assert.equal(
      t.console.sent.filter((s) => toPlain(s.msg.body).startsWith("hello from")).length,
      0,
      "old messages not replayed",
    );
    assert.equal(alice.messages("crier").filter((l) => l.includes("said during the outage")).length, 2);
  });
});
