/** The cancellable loop (core/loop.ts): sleeps on the clock as each pass asks, wakes early, stops promptly. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Loop } from "../../../src/core/loop.js";
import { FakeClock } from "../../../src/services/clock.js";

/** For a loop whose passes never throw: a crash fails the test. */
const noCrash = (err: unknown) => assert.fail(`the loop crashed: ${String(err)}`);

/** Lets pending promise callbacks and a zero-delay sleep run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("Loop", () => {
  it("runs a pass, sleeps on the clock for what it returned, and runs again when that time has passed", async () => {
    const clock = new FakeClock(0);
    const passes: number[] = [];
    const loop = new Loop(
      clock,
      async () => {
        passes.push(clock.now());
        return 1_000;
      },
      noCrash,
    );
    loop.start();
    await settle();
    assert.deepEqual(passes, [0]);
    clock.advance(999);
    await settle();
    assert.deepEqual(passes, [0], "not before its time");
    clock.advance(1);
    await settle();
    assert.deepEqual(passes, [0, 1_000]);
    await loop.stop();
    clock.advance(10_000);
    await settle();
    assert.deepEqual(passes, [0, 1_000], "nothing after stop");
    assert.equal(loop.isRunning, false);
  });

  it("wake() ends a sleep at once, and a wake during a pass is not lost", async () => {
    const clock = new FakeClock(0);
    let passes = 0;
    let wakeDuringPass = false;
    const loop = new Loop(
      clock,
      async () => {
        passes++;
        if (wakeDuringPass) {
          wakeDuringPass = false;
          loop.wake();
        }
        return 60_000;
      },
      noCrash,
    );
    loop.start();
    await settle();
    assert.equal(passes, 1);
    loop.wake();
    await settle();
    assert.equal(passes, 2, "woken from its sleep");
    wakeDuringPass = true;
    loop.wake();
    await settle();
    assert.equal(passes, 4, "the wake during pass 3 runs pass 4 without a sleep");
    await settle();
    assert.equal(passes, 4, "then it sleeps again");
    await loop.stop();
  });

  it("stop() waits for the pass under way and ends a long sleep without the clock moving", async () => {
    const clock = new FakeClock(0);
    let release: () => void = () => undefined;
    let finished = false;
    const loop = new Loop(
      clock,
      async () => {
        await new Promise<void>((r) => {
          release = r;
        });
        finished = true;
        return 3_600_000;
      },
      noCrash,
    );
    loop.start();
    await settle();
    const stopped = loop.stop();
    let done = false;
    void stopped.then(() => {
      done = true;
    });
    await settle();
    assert.equal(done, false, "the pass is still running");
    release();
    await stopped;
    assert.equal(finished, true);
  });

  it("a pass that throws ends the loop and is reported once", async () => {
    const clock = new FakeClock(0);
    const crashes: unknown[] = [];
    let passes = 0;
    const loop = new Loop(
      clock,
      async () => {
        passes++;
        throw new Error("bug");
      },
      (err) => crashes.push(err),
    );
    loop.start();
    await settle();
    await loop.stop();
    assert.equal(passes, 1);
    assert.equal(crashes.length, 1);
    assert.match(String(crashes[0]), /bug/);
  });
});
