/**
 * Every declared command, run through a real app with hostile arguments: each answer is a normal reply or a
 * UserError sentence — never a bug ("something went wrong"), never a crash, never silence that hangs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { buildFeatures } from "../../src/features/index.js";

const features = buildFeatures().all;
import { makeTestApp, type TestApp } from "../helpers/app.js";
import { hostileText } from "./targets.js";

const PER_COMMAND = Number(process.env.CRIER_FUZZ_COMMAND_RUNS ?? 15);

describe("commands with hostile arguments", () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp({ admins: ["console:op"], commands: { perUserPerMinute: 100000, perRoomPerMinute: 100000 } });
  });
  after(async () => t.close());

  for (const f of features) {
    for (const cmd of f.commands ?? []) {
      it(`${cmd.prefix ?? "!"}${cmd.name}`, async () => {
        const inputs = fc.sample(hostileText, { numRuns: PER_COMMAND, seed: 42 });
        const before = t.console.sent.length;
        for (const [i, input] of inputs.entries()) {
          await t.say(`${cmd.prefix ?? "!"}${cmd.name} ${input}`, { user: i % 2 ? "op" : "someone" });
        }
        // Replies go through the outbox; a final ping's answer shows every earlier reply has been sent.
        await t.say("!ping", { user: "op" });
        await t.console.waitFor((s) => t.console.sent.indexOf(s) >= before && s.text === "pong");
        const bugs = t.console.sent.slice(before).filter((s) => s.text.includes("something went wrong"));
        assert.deepEqual(
          bugs.map((b) => b.text),
          [],
          `inputs ${JSON.stringify(inputs)}`,
        );
      });
    }
  }
});
