/** Under Synapse's message rate limit (a burst, then a few per second) every relayed message arrives, in order. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { type Harness, makeMatrixAdapter, relay } from "./harness.js";

describe("Matrix adapter under realistic rate limits", () => {
  let server: Synapse;
  let alice: MatrixTestUser;
  let h: Harness;
  let room: string;

  before(async () => {
    // Synapse's default is 0.2/s after a burst of 10; 1/s keeps the test short (~40 s) yet meets 429s even when
    // a loaded machine makes each send slow (at 3/s a send slower than 333 ms never met one).
    server = await startSynapse({ realistic: { perSecond: 1, burst: 10 } });
    const bot = await server.register("crier");
    alice = await server.register("alice");
    room = await alice.createRoom({ invite: [bot.userId] });
    h = await makeMatrixAdapter({ homeserver: server.url, accessToken: bot.token, rooms: [room] });
    await h.start();
  });
  after(async () => {
    await h?.close();
    await server?.stop();
  });

  it("sends 50 messages one after another: all arrive once, in order, waiting out every 429", async () => {
    const started = Date.now();
    for (let i = 1; i <= 50; i++) await h.adapter.send(relay(room, `burst ${i}`));
    const seconds = (Date.now() - started) / 1000;
    const got = await alice.waitFor(room, (e) => /burst \d+$/.test(e.content?.body ?? ""), 50);
    assert.deepEqual(
      got.map((e) => Number(/burst (\d+)$/.exec(e.content.body)?.[1])),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(h.adapter.rateLimited > 0, "the server did rate-limit crier");
    console.log(`# 50 sends in ${seconds.toFixed(1)} s, ${h.adapter.rateLimited} answers of 429 waited out`);
  });
});
