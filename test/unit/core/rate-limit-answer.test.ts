/** The refusal of a command flood says when commands work again; the operator at the console is not limited. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter } from "../../../src/core/ratelimit.js";
import { makeTestApp } from "../../helpers/app.js";

describe("command budget answers", () => {
  it("RateLimiter.retryAfter is the time until the oldest hit in the window leaves it", () => {
    const r = new RateLimiter(3);
    assert.equal(r.retryAfter("k", 0), 0);
    r.allow("k", 1_000);
    r.allow("k", 2_000);
    r.allow("k", 5_000);
    assert.equal(r.allow("k", 6_000), false);
    assert.equal(r.retryAfter("k", 6_000), 55_000);
    assert.equal(r.retryAfter("k", 61_000), 0);
    assert.equal(r.allow("k", 61_000), true);
  });

  it("tells a flooding user how many seconds to wait, once", async () => {
    const t = await makeTestApp({ commands: { perUserPerMinute: 3 } });
    try {
      for (let i = 0; i < 6; i++) await t.say("!ping", { user: "flood" });
      const text = await t.expectSent("slow down");
      assert.match(text, /^slow down: you sent more than 3 commands in a minute; try again in (\d+) s /);
      const seconds = Number(/in (\d+) s/.exec(text)![1]);
      assert.ok(seconds >= 1 && seconds <= 60, text);
      assert.equal(t.console.sent.filter((s) => s.text.startsWith("slow down")).length, 1);
    } finally {
      await t.close();
    }
  });

  it("does not limit the console's own person unless rateLimited is set", async () => {
    const t = await makeTestApp({ commands: { perUserPerMinute: 2 } });
    try {
      for (let i = 0; i < 10; i++) await t.say("!ping", { user: "op" });
      await t.console.waitFor(() => t.console.sent.filter((s) => s.text === "pong").length === 10);
      assert.equal(t.console.sent.filter((s) => s.text.startsWith("slow down")).length, 0);
    } finally {
      await t.close();
    }
    const limited = await makeTestApp({
      accounts: { console: { user: "op", rooms: ["console"], rateLimited: true } },
      commands: { perUserPerMinute: 2 },
    });
    try {
      for (let i = 0; i < 4; i++) await limited.say("!ping", { user: "op" });
      await limited.expectSent("slow down");
    } finally {
      await limited.close();
    }
  });
});
