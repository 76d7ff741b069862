/**
 * adversarial.md, "one crafted message": a Matrix event as large as Synapse accepts, made of every tag kind crier
 * reads nested to the size limit, goes through the real Synapse to crier. It is relayed as its text (formatting
 * deeper than crier's nesting bound becomes plain text, nothing is lost before the cut), and a !ping sent right
 * after it by someone else is answered. How long the event takes is a figure of `npm run bench` (bench/hostile.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inOrder, nestedHtml } from "../../fuzz/hostile-html.js";
import { Answers } from "../three/answers.js";
import { ThreeNetworks } from "../three/testbed.js";

describe("adversarial: one 64 KB Matrix event of nested tags", () => {
  const net = new ThreeNetworks();
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("is relayed as its text to IRC and Discord, and a !ping sent after it is answered", async () => {
    // Synapse refuses events over 65,536 bytes; the HTML takes all but the envelope's share.
    const { html, words, depth } = nestedHtml(60_000);
    assert.ok(depth > 1000, `the event nests ${depth} levels`);
    const answers = new Answers(net);
    const mark = answers.mark();
    await net.mara.send(net.room, {
      msgtype: "m.text",
      body: "nested",
      format: "org.matrix.custom.html",
      formatted_body: html,
    });
    await net.mod.sendText(net.room, "!ping");
    await answers.onMatrix(mark, /^pong$/, 30_000);
    const first = words.slice(0, 8);
    const onIrc = await net.waitIrc((t) => t.includes(first[0]), 30_000);
    assert.equal(inOrder(onIrc, first), undefined, `IRC shows the words in order: ${onIrc.slice(0, 200)}`);
    await net.waitDiscord((m) => m.content.includes(first[0]), 30_000);
    const onDiscord = net.discordFromCrier().find((m) => m.content.includes(first[0]))!.content;
    assert.equal(inOrder(onDiscord.replace(/[*_~|`>\\]/g, " "), first), undefined, onDiscord.slice(0, 200));
    assert.ok(onDiscord.length <= 2000, "within Discord's limit");
    // crier goes on relaying.
    net.ivan.say("#devel", "after the nested event");
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("after the nested event"), 30_000);
  });
});
