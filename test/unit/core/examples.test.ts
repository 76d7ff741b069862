/** Every example declared by a command runs as a test: the answer must contain or match what it declares. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildFeatures } from "../../../src/features/index.js";

const features = buildFeatures().all;
import { makeTestApp, type TestApp } from "../../helpers/app.js";

describe("declared command examples", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({ admins: ["console:op"], commands: { perUserPerMinute: 1000, perRoomPerMinute: 1000 } });
  });
  after(async () => t.close());

  for (const f of features) {
    for (const cmd of f.commands ?? []) {
      for (const ex of cmd.examples) {
        it(`${f.name}: ${ex.input}`, async () => {
          const before = t.console.sent.length;
          await t.say(ex.input, { user: ex.asAdmin ? "op" : "someone" });
          const hit = await t.console.waitFor(
            (s) =>
              t.console.sent.indexOf(s) >= before &&
              (typeof ex.expect === "string" ? s.text.includes(ex.expect) : ex.expect.test(s.text)),
            5000,
          );
          assert.ok(hit);
        });
      }
    }
  }
});
