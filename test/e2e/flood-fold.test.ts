/**
 * The flood policy through real servers (issue #23): InspIRCd at its real pace (one line a second after a burst),
 * a link with a 10 s flood backlog. A 40-message flood from Matrix takes one sender's share on IRC (5 lines), the
 * rest becomes one line with a link to the first folded message; Discord, which combines a backlog, gets all 40;
 * an answer is never folded, and `!outbox` counts the fold; once the flood is over the sender is relayed again.
 * With the web server on, the fold line links to crier's page of the folded messages, which holds all of them in order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort, waitUntil } from "../testbed/ports.js";
import { Answers } from "./three/answers.js";
import { parseArrivals } from "./three/tally.js";
import { CHANNEL, ThreeNetworks } from "./three/testbed.js";

describe("flood folding into a paced IRC channel (real InspIRCd + Synapse + fake Discord)", () => {
  const net = new ThreeNetworks({ ircLineIntervalMs: 1000, linkOptions: { floodBacklog: "10s" } });
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("40 messages from one Matrix sender: 5 lines and one fold line on IRC, all 40 on Discord, !ping answered", async () => {
    const say = new Answers(net);
    const mark = say.mark();
    for (let i = 0; i < 40; i++) await net.mara.sendText(net.room, `mara-${i}`);
    net.ivan.say(CHANNEL, "!ping");
    const fold = await say.onIrc(mark, /more messages from .*not relayed here \(flood\)/, 30_000);
    assert.match(
      fold,
      /^… 35 more messages from mara\S* on matrix\.hs not relayed here \(flood\): https:\/\/matrix\.to\/#\/!/,
    );
    await say.onIrc(mark, /^pong$/);
    // The operator sees the fold in the queue status (ivan opened #devel, so he is its operator).
    assert.match(await say.irc(net.ivan, "!outbox", /folded/), /irc\.net[ /]#devel: .*35 folded/);
    const onIrc = say.ircSince(mark).flatMap((t) => parseArrivals(t.replace(/^<[^>]+> /, "")));
    assert.deepEqual(
      onIrc.filter((a) => a.sender === "mara").map((a) => a.n),
      [0, 1, 2, 3, 4],
    );
    await waitUntil("all 40 on Discord", () => {
      const got = new Set(
        net
          .discordFromCrier()
          .flatMap((m) => parseArrivals(m.content))
          .map((a) => a.n),
      );
      return got.size >= 40;
    });
  });

  it("once the flood is over, the sender is relayed again", async () => {
    await new Promise((r) => setTimeout(r, 2_500)); // the sender's share refills at half the pace: a line per 2 s
    await net.mara.sendText(net.room, "after the flood");
    await net.waitIrc((t) => t.includes("after the flood"), 30_000);
  });
});

describe("a fold line links to crier's page of the folded messages (web server on)", () => {
  let publicUrl = "";
  let net: ThreeNetworks;
  before(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    net = new ThreeNetworks({
      ircLineIntervalMs: 1000,
      linkOptions: { floodBacklog: "10s" },
      extra: { http: { enabled: true, host: "127.0.0.1", port, publicUrl } },
    });
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("40 messages: the 35 not relayed to IRC are on the linked page, in order, each once", async () => {
    const say = new Answers(net);
    const mark = say.mark();
    for (let i = 0; i < 40; i++) await net.mara.sendText(net.room, `<b>not bold</b> mara-${i}`);
    const fold = await say.onIrc(mark, /more messages from .*not relayed here \(flood\)/, 30_000);
    const link = /: (\S+)$/.exec(fold)?.[1] ?? "";
    assert.match(link, new RegExp(`^${publicUrl}/folded/[0-9a-f]{16}$`));
    const onIrc = say
      .ircSince(mark)
      .flatMap((t) => parseArrivals(t.replace(/^<[^>]+> /, "")))
      .filter((a) => a.sender === "mara")
      .map((a) => a.n);
    const res = await fetch(link);
    assert.equal(res.status, 200);
    const html = await res.text();
    const onPage = [...html.matchAll(/mara-(\d+)</g)].map((m) => Number(m[1]));
    assert.equal(onPage.length, 35);
    assert.deepEqual(
      [...onIrc, ...onPage].sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.deepEqual(
      onPage,
      [...onPage].sort((a, b) => a - b),
    );
    // What people said is text on the page, never markup.
    assert.ok(html.includes("&lt;b&gt;not bold&lt;/b&gt; mara-5<"));
    assert.ok(!html.includes("<b>not bold</b>"));
    const unknown = await fetch(`${publicUrl}/folded/0123456789abcdef`);
    assert.equal(unknown.status, 404);
  });
});
