/**
 * The store stops taking writes (disk full, read-only file system): crier refuses new work with a clear answer,
 * keeps running, and loses nothing it had already accepted. SQLite's query_only mode stands in for the full disk:
 * both surface as "cannot write" errors on the same path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeTestApp, TWO_LINKED_ROOMS } from "../../helpers/app.js";

const config = {
  ...TWO_LINKED_ROOMS,
  admins: ["console:op"],
};

describe("store that cannot take writes", () => {
  it("refuses new work clearly, keeps serving, and delivers what it had accepted once writes work again", async () => {
    const t = await makeTestApp(config);
    try {
      const b = t.consoles.get("console.b")!;
      const store = t.app.ctx.store;
      // Accepted while the target is down: waits in the outbox.
      await b.stop();
      await t.say("accepted before the fault", { room: "a", user: "alice" });
      await store.run("PRAGMA query_only = ON");

      await t.say("!link pause devel", { room: "a", user: "op" });
      await t.expectSent("cannot save anything right now");
      await t.say("said during the fault", { room: "a", user: "alice" });
      await t.say("!ping", { room: "a", user: "op" });
      await t.expectSent("pong");

      await store.run("PRAGMA query_only = OFF");
      await b.start(() => undefined);
      t.app.ctx.outbox.wake("console.b");
      await b.waitFor((s) => s.text === "accepted before the fault", 10_000);
      assert.ok(!b.sent.some((s) => s.text === "said during the fault"), "refused work is not half-done");
      await t.say("after the fault", { room: "a", user: "alice" });
      await b.waitFor((s) => s.text === "after the fault");
      assert.equal(b.sent.filter((s) => s.text === "accepted before the fault").length, 1);
    } finally {
      await t.close();
    }
  });
});
