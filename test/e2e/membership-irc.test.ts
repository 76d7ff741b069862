/** Joins, parts, quits, nick changes and topics on IRC reach the other rooms of a link that asks for them. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTestApp, type TestApp } from "../helpers/app.js";
import { type InspIRCd, startInspIRCd } from "../testbed/inspircd.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";

describe("membership relay from IRC (membership: true)", () => {
  let server: InspIRCd;
  let t: TestApp;
  let zoe: RawIrcClient;
  before(async () => {
    server = await startInspIRCd();
    // Zoe is there first, so she is the channel operator who may set the topic (+t).
    zoe = new RawIrcClient("zoe", server.port);
    await zoe.connect();
    await zoe.join("#devel");
    await zoe.join("#other");
    t = await makeTestApp({
      accounts: {
        console: { user: "op", rooms: ["a"] },
        "irc.test": {
          host: "127.0.0.1",
          port: server.port,
          tls: false,
          nick: "crier",
          channels: ["#devel", "#other"],
          lineIntervalMs: 20,
        },
      },
      links: [
        {
          name: "devel",
          membership: true,
          rooms: [
            { account: "console", room: "a" },
            { account: "irc.test", room: "#devel" },
          ],
        },
      ],
    });
    await waitUntil("crier in #devel", () => {
      const a = t.app.ctx.adapters.get("irc.test") as unknown as { joined: Map<string, number> };
      return a.joined.has("#devel");
    });
  });
  after(async () => {
    zoe?.close();
    await t?.close();
    await server?.stop();
  });

  const notices = () => t.console.sent.map((s) => s.text);

  it("relays a join, a nick change, a topic, a part and a quit — once each, only for the linked channel", async () => {
    const yann = new RawIrcClient("yann", server.port);
    await yann.connect();
    await yann.join("#devel");
    await yann.join("#other");
    await t.console.waitFor((s) => s.text === "yann joined");
    zoe.send("NICK zoey");
    await t.console.waitFor((s) => s.text === "zoe is now known as zoey");
    zoe.send("TOPIC #devel :Release 6.0 \u2014 see the agenda");
    await t.console.waitFor((s) => s.text === "zoey set the topic: Release 6.0 \u2014 see the agenda");
    zoe.send("TOPIC #other :not linked");
    yann.send("PART #other :elsewhere");
    yann.send("QUIT :gone fishing");
    await t.console.waitFor((s) => s.text.startsWith("yann left (quit"));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      notices().filter((n) => /zoe|yann|linked/.test(n)),
      [
        "yann joined",
        "zoe is now known as zoey",
        "zoey set the topic: Release 6.0 \u2014 see the agenda",
        "yann left (quit: gone fishing)",
      ],
    );
  });
});
