/**
 * Hot reload in one process (console accounts stand in for networks; test/e2e/reload.test.ts does it through the
 * real servers): accounts added, removed and changed alone, links and admins changed in place, a bad config
 * rejected with check-config's words while the old one goes on.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { makeTestApp } from "../helpers/app.js";

const base = {
  accounts: {
    console: { user: "op", rooms: ["console", "admins"] },
    "console.b": { user: "bea", rooms: ["b"] },
    "console.c": { user: "cid", rooms: ["c"] },
  },
  admins: ["console:op"],
  adminRooms: ["console/admins"],
  links: [
    {
      name: "bc",
      rooms: [
        { account: "console.b", room: "b" },
        { account: "console.c", room: "c" },
      ],
    },
  ],
};

describe("reload", () => {
  it("connects an added account, disconnects a removed one, reconnects a changed one, and leaves the rest alone", async () => {
    const t = await makeTestApp(base);
    try {
      const untouched = t.consoles.get("console")!;
      const removed = t.consoles.get("console.b")!;
      const changed = t.consoles.get("console.c")!;
      const next = {
        ...base,
        accounts: {
          console: base.accounts.console,
          "console.c": { user: "cid", rooms: ["c", "c2"] },
          "console.d": { user: "dee", rooms: ["d"] },
        },
        links: [
          {
            name: "cd",
            rooms: [
              { account: "console.c", room: "c" },
              { account: "console.d", room: "d" },
            ],
          },
        ],
      };
      const outcome = await t.app.reload(parseConfig(stringify(next), {}));
      assert.equal(outcome.ok, true);
      assert.deepEqual(outcome.added, ["console.d"]);
      assert.deepEqual(outcome.removed, ["console.b"]);
      assert.deepEqual(outcome.reconnected, ["console.c"]);
      const { adapters } = t.app.ctx;
      assert.equal(adapters.get("console"), untouched, "the untouched account keeps its adapter");
      assert.equal(untouched.state(), "connected");
      assert.equal(adapters.has("console.b"), false);
      assert.equal(removed.state(), "disconnected");
      assert.notEqual(adapters.get("console.c"), changed, "the changed account has a new connection");
      assert.equal(changed.state(), "disconnected");
      assert.deepEqual(adapters.get("console.c")!.rooms(), ["c", "c2"]);
      assert.equal(adapters.get("console.d")!.state(), "connected");
      // The new link relays; the old one is gone.
      await t.say("hello d", { account: "console.c", user: "cid", room: "c" });
      await t.expectSent("hello d", { account: "console.d" });
    } finally {
      await t.close();
    }
  });

  it("changes admins and the command prefix in place", async () => {
    const t = await makeTestApp(base);
    try {
      await t.say("!status", { user: "zed" });
      await t.expectSent("only admins may use !status");
      const outcome = await t.app.reload(
        parseConfig(stringify({ ...base, admins: ["console:zed"], commands: { prefix: "?" } }), {}),
      );
      assert.equal(outcome.ok, true);
      await t.say("?status", { user: "zed" });
      await t.expectSent(/console: connected since/);
    } finally {
      await t.close();
    }
  });

  it("rejects an invalid config with check-config's messages, tells the admins, and goes on with the old one", async () => {
    const t = await makeTestApp(base);
    try {
      const file = join(t.stateDir, "crier.yaml");
      writeFileSync(file, stringify({ ...base, links: [{ name: "bc", romos: [] }] }));
      (t.app as unknown as { opts: { configFile: string } }).opts.configFile = file;
      const outcome = await t.app.reloadFromFile();
      assert.equal(outcome.ok, false);
      assert.ok(
        outcome.problems.some((p) => /^links\[0\]/.test(p) && /romos/.test(p)),
        `a problem naming the key: ${outcome.problems.join(" | ")}`,
      );
      await t.expectSent(/config reload rejected, crier goes on with the old config: links\[0\]/);
      assert.equal(t.app.ctx.adapters.size, 3, "every account still there");
      await t.say("still linked", { account: "console.b", user: "bea", room: "b" });
      await t.expectSent("still linked", { account: "console.c" });
    } finally {
      await t.close();
    }
  });
});
