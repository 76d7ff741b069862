/**
 * The permissions matrix, enumerated from the command registry: every command that is not for anyone is refused
 * to a non-admin (in the room and in a private message) and allowed to an admin. A new admin command is covered
 * automatically; one without an example fails here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildFeatures } from "../../../src/features/index.js";

const features = buildFeatures().all;
import { makeTestApp, type TestApp } from "../../helpers/app.js";

const restricted = features.flatMap((f) => (f.commands ?? []).filter((c) => c.permission !== "anyone"));

describe("permissions matrix (console platform)", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({
      accounts: { console: { user: "op", rooms: ["console"], admin: false } },
      admins: ["console:op"],
      commands: { perUserPerMinute: 10000, perRoomPerMinute: 10000 },
    });
  });
  after(async () => t.close());

  it("has restricted commands to check", () => {
    assert.ok(restricted.length >= 2);
  });

  for (const cmd of restricted) {
    const p = cmd.prefix ?? "!";
    const input = cmd.examples[0]?.input ?? `${p}${cmd.name}`;
    const refusal = `only ${cmd.permission}s may use ${p}${cmd.name}`;
    for (const where of ["room", "private message"] as const) {
      it(`${p}${cmd.name}: refused to a non-admin in a ${where}`, async () => {
        assert.ok(cmd.examples.length, `${p}${cmd.name} declares an example`);
        const start = t.console.sent.length;
        await t.say(input, { user: "mallory", isPrivate: where === "private message" });
        const hit = await t.console.waitFor((s) => t.console.sent.indexOf(s) >= start && s.text.includes(refusal));
        assert.ok(hit);
      });
    }
    it(`${p}${cmd.name}: allowed to a configured admin`, async () => {
      const start = t.console.sent.length;
      await t.say(input, { user: "op" });
      await t.say("!ping", { user: "op" });
      await t.console.waitFor((s) => t.console.sent.indexOf(s) >= start && s.text === "pong");
      const answers = t.console.sent.slice(start).map((s) => s.text);
      assert.ok(!answers.some((a) => a.includes(refusal)), answers.join(" | "));
    });
  }
});
