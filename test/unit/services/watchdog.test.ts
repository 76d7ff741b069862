/**
 * The event-loop watchdog (issue #15): an inbound event whose handling holds crier up is counted once and logged
 * with its reference and never its content; the loop's delay is exported. The slow handler here blocks on
 * purpose, so what is checked is that the watchdog sees it, not how fast anything is.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Feature } from "../../../src/core/context.js";
import { SLOW_EVENT_MS } from "../../../src/services/dispatch.js";
import { toPlain } from "../../../src/core/richtext.js";
import { type TestApp, makeTestApp } from "../../helpers/app.js";

/** Holds the event loop for longer than the bound, but only for messages that ask for it. */
const blocking: Feature = {
  name: "blocking",
  async onEvent(event) {
    if (event.kind !== "message" || !toPlain(event.body).startsWith("block")) return;
    const until = performance.now() + SLOW_EVENT_MS + 100;
    while (performance.now() < until) {
      // busy: nothing else can run, as with a parser gone quadratic
    }
  },
};

const metricValue = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(name) && !l.startsWith("#"));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe("event-loop watchdog", () => {
  let t: TestApp;
  const logged: Array<Record<string, unknown>> = [];
  before(async () => {
    t = await makeTestApp({}, { extraFeatures: [blocking] });
    const log = t.app.ctx.log;
    const warn = log.warn.bind(log);
    log.warn = ((obj: unknown, ...rest: unknown[]) => {
      if (typeof obj === "object" && obj) logged.push({ ...(obj as object), msg: rest[0] });
      return (warn as (...a: unknown[]) => void)(obj, ...rest);
    }) as typeof log.warn;
  });
  after(async () => t?.close());

  it("counts and logs a slow event once, by reference, without its text", async () => {
    await t.say("quick one");
    assert.equal(metricValue(await t.app.ctx.metrics.render(), "crier_slow_events_total"), undefined);
    // The delay monitor measures from its first tick on; give it one before blocking.
    await new Promise((r) => setTimeout(r, 50));
    await t.say("block secret-words-here");
    // Let the delay monitor's timer fire after the block.
    await new Promise((r) => setTimeout(r, 50));
    const text = await t.app.ctx.metrics.render();
    assert.match(text, /crier_slow_events_total\{account="console"\} 1\n/);
    const slow = logged.filter((l) => /slow event/.test(String(l.msg)));
    assert.equal(slow.length, 1);
    assert.match(String(slow[0].ref), /^[0-9a-f]+$/);
    assert.equal((slow[0].room as { account: string }).account, "console");
    assert.ok(!JSON.stringify(slow).includes("secret-words"), "the content is never logged");
    const max = metricValue(text, "crier_event_loop_delay_max_seconds");
    const p99 = metricValue(text, "crier_event_loop_delay_p99_seconds");
    assert.ok(max !== undefined && p99 !== undefined, text);
    assert.ok(max >= SLOW_EVENT_MS / 1000, `the block shows as a loop delay (max ${max} s)`);
  });
});
