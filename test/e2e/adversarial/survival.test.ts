/**
 * adversarial.md, "What 'nothing lost' must survive". These are proven by the chaos and fault tests, against the
 * real servers where there is one, and are not rebuilt here:
 *
 * - IRC server restart: test/e2e/chaos-irc.test.ts (2 InspIRCd restarts), test/e2e/chaos-three.test.ts,
 *   test/e2e/relay-irc.test.ts, test/adapters/irc/irc.test.ts.
 * - Matrix homeserver restart: test/e2e/chaos-three.test.ts (a Synapse restart), test/adapters/matrix/relay.test.ts.
 * - Discord resume and invalid session: test/e2e/chaos-three.test.ts, test/adapters/discord/discord.test.ts.
 * - crier killed with SIGKILL in the middle of a fan-out: test/e2e/three/chaos-suite.ts (chaos-three.test.ts,
 *   chaos-three-appservice.test.ts) and chaos-irc.test.ts
 *   (SIGKILLs of a real crier process), test/unit/services/scheduler/crash.test.ts (reminders).
 * - Every network away at once: test/e2e/outage-minute.test.ts.
 * - The disk full: test/unit/faults/store-unwritable.test.ts.
 * - The clock stepping forward and back: test/unit/services/scheduler/downtime.test.ts.
 * - Two instances started by mistake on one store: test/unit/store/sqlite.test.ts, test/e2e/console-daemon.test.ts.
 *
 * The test below keeps this map honest: each named test must still exist where it is said to be.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

const PROOFS: Array<{ item: string; file: string; test: string }> = [
  { item: "IRC server restart", file: "test/e2e/chaos-irc.test.ts", test: "delivers every message exactly once" },
  {
    item: "IRC server restart",
    file: "test/adapters/irc/irc.test.ts",
    test: "reconnects and rejoins after the server is killed and restarted",
  },
  {
    item: "Matrix homeserver restart",
    file: "test/adapters/matrix/relay.test.ts",
    test: "messages relayed while Synapse is down arrive once, in order",
  },
  {
    item: "Discord resume and invalid-session",
    file: "test/adapters/discord/discord.test.ts",
    test: "through 3 resumes, an invalid session and 429 bursts",
  },
  {
    item: "crier killed with SIGKILL in the middle of a fan-out",
    file: "test/e2e/three/chaos-suite.ts",
    test: "delivers every message to both other platforms exactly once",
  },
  {
    item: "crier killed with SIGKILL in the middle of a fan-out",
    file: "test/unit/services/scheduler/crash.test.ts",
    test: "SIGKILL at random points: each fired once and delivered",
  },
  { item: "every network away", file: "test/e2e/outage-minute.test.ts", test: "once each, in order" },
  {
    item: "the disk full",
    file: "test/unit/faults/store-unwritable.test.ts",
    test: "delivers what it had accepted once writes work again",
  },
  {
    item: "the clock stepping forward and back",
    file: "test/unit/services/scheduler/downtime.test.ts",
    test: "a clock step back does not fire early or twice; a step forward fires what became due, once",
  },
  {
    item: "two instances started by mistake on one store",
    file: "test/unit/store/sqlite.test.ts",
    test: "lets only one instance hold a state directory",
  },
  {
    item: "two instances started by mistake on one store",
    file: "test/e2e/console-daemon.test.ts",
    test: "refuses a second instance on the same state directory",
  },
];

describe("adversarial: what 'nothing lost' must survive", () => {
  for (const { item, file, test } of PROOFS) {
    it(`${item}: proven by "${test}" in ${file}`, () => {
      assert.ok(existsSync(file), `${file} is gone`);
      const source = readFileSync(file, "utf8");
      const names = [...source.matchAll(/\bit\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1]);
      assert.ok(
        names.some((n) => n.includes(test)),
        `${file} no longer has a test named "…${test}…"; its tests: ${names.join(" | ")}`,
      );
    });
  }
});
