/**
 * Per-room queues: rooms of one account served round-robin and in parallel, a failing room backing off and then
 * parked on its own, answers ahead of relayed traffic, and a room's backlog combined into multi-line messages
 * (recorded per source row, so edits and deletes of one of them re-render the message they share).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { coreMigrations } from "../../../src/app.js";
import { type Adapter, type Capabilities, NO_CAPABILITIES, type OutgoingMessage } from "../../../src/core/adapter.js";
import { createLogger } from "../../../src/core/log.js";
import { fromPlain, toPlain } from "../../../src/core/richtext.js";
import { DEFAULT_POLICY, type DeliveryPolicy, Outbox, type OutboxItem } from "../../../src/delivery/outbox.js";
import { SystemClock } from "../../../src/services/clock.js";
import { migrate } from "../../../src/store/migrate.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import { waitUntil } from "../../testbed/ports.js";

const log = createLogger({ level: "silent" });

/** Records every platform call, as text; rooms in `failing` refuse every send with a transient error. */
class RoomsAdapter {
  readonly capabilities: Capabilities = { ...NO_CAPABILITIES, edit: true, delete: true };
  calls: string[] = [];
  connected = true;
  failing = new Set<string>();
  failOnce = new Set<string>();
  attempts = new Map<string, number>();
  private n = 0;
  constructor(
    readonly account: string,
    combine?: Capabilities["combinesLines"],
  ) {
    if (combine) this.capabilities.combinesLines = combine;
  }
  state() {
    return this.connected ? ("connected" as const) : ("disconnected" as const);
  }
  async send(m: OutgoingMessage) {
    this.attempts.set(m.room, (this.attempts.get(m.room) ?? 0) + 1);
    if (this.failing.has(m.room)) throw new Error("502 bad gateway");
    if (this.failOnce.delete(m.idempotencyKey)) throw new Error("timeout");
    await new Promise((r) => setTimeout(r, 2));
    this.calls.push(`send ${m.room} [${m.idempotencyKey}] ${toPlain(m.body).replaceAll("\n", "|")}`);
    return { nativeIds: [`n${++this.n}`] };
  }
  async edit(room: string, ids: string[], m: OutgoingMessage) {
    this.calls.push(`edit ${room} ${ids.join(",")} ${toPlain(m.body).replaceAll("\n", "|")}`);
  }
  async delete(room: string, ids: string[]) {
    this.calls.push(`delete ${room} ${ids.join(",")}`);
  }
}

const relayed = (room: string, key: string, who = "ann"): OutboxItem => ({
  account: "x",
  message: { room, body: fromPlain(key), kind: "relay", sender: { name: who }, idempotencyKey: key },
  ref: `ref-${key}`,
});
const notice = (room: string, key: string): OutboxItem => ({
  account: "x",
  message: { room, body: fromPlain(key), kind: "notice", idempotencyKey: key },
});
const until = (what: string, pred: () => boolean | Promise<boolean>, ms = 15_000) =>
  waitUntil(what, pred, ms, { everyMs: 10 });

/** The wall clock, which a test can step back as NTP or a restored VM does. */
class SteppedClock extends SystemClock {
  offset = 0;
  override now(): number {
    return Date.now() + this.offset;
  }
}

async function setup(policy: Partial<DeliveryPolicy> = {}, clock = new SystemClock()) {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-rooms-")), "c.db"));
  await migrate(store, coreMigrations);
  const outbox = new Outbox(store, clock, log, { ...DEFAULT_POLICY, ...policy });
  const warnings: string[] = [];
  outbox.setAdminWarning((text, key) => warnings.push(`${key}: ${text}`));
  return { store, outbox, warnings };
}

describe("per-room delivery", () => {
  it("serves rooms round-robin: one busy room does not hold another back", async () => {
    const { store, outbox } = await setup({ roomsInParallel: 1 });
    const a = new RoomsAdapter("x");
    a.connected = false;
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue([1, 2, 3, 4].map((i) => notice("busy", `b${i}`)));
    await outbox.enqueue([1, 2].map((i) => notice("calm", `c${i}`)));
    a.connected = true;
    outbox.wake("x");
    await until("all six sent", () => a.calls.length === 6);
    const order = a.calls.map((c) => c.split(" ")[2]);
    assert.deepEqual(order, ["[b1]", "[c1]", "[b2]", "[c2]", "[b3]", "[b4]"]);
    await outbox.stop();
    await store.close();
  });

  it("a room whose sends keep failing backs off alone, then is parked with one warning", async () => {
    const { store, outbox, warnings } = await setup({ parkAfterAttempts: 2, parkAfterMs: 0 });
    const a = new RoomsAdapter("x");
    a.failing.add("dead");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue([1, 2, 3].map((i) => notice("dead", `d${i}`)));
    await outbox.enqueue([1, 2, 3].map((i) => notice("live", `l${i}`)));
    await until("the healthy room delivered", () => a.calls.length === 3);
    assert.deepEqual(
      a.calls.map((c) => c.split(" ")[2]),
      ["[l1]", "[l2]", "[l3]"],
    );
    await until("the failing room parked", async () => {
      const dead = (await outbox.roomDepths()).find((r) => r.room === "dead");
      return dead?.parked === 3 && dead.pending === 0;
    });
    assert.equal(a.attempts.get("dead"), 2, "two attempts, then parked");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^outbox-parked:x:dead: x dead kept failing \(502 bad gateway\); 3 waiting/);
    await outbox.enqueue([notice("live", "l4")]);
    await until("the healthy room goes on", () => a.calls.length === 4);
    await outbox.stop();
    await store.close();
  });

  it("a retry waiting when the wall clock steps back twenty minutes goes out after its backoff, not the step", async () => {
    const clock = new SteppedClock();
    const { store, outbox } = await setup({}, clock);
    const a = new RoomsAdapter("x");
    a.failOnce.add("s1");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue([notice("r", "s1")]);
    await until("the first try failed", () => a.attempts.get("r") === 1);
    clock.offset = -20 * 60_000;
    await until("sent after the step", () => a.calls.length === 1, 10_000);
    assert.deepEqual(a.calls, ["send r [s1] s1"]);
    assert.equal(a.attempts.get("r"), 2);
    await outbox.stop();
    await store.close();
  });

  it("crier's answers go ahead of relayed traffic waiting for the same room", async () => {
    const { store, outbox } = await setup();
    const a = new RoomsAdapter("x");
    a.connected = false;
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue([1, 2, 3].map((i) => relayed("r", `m${i}`)));
    await outbox.enqueue([notice("r", "pong")]);
    await outbox.enqueue([{ ...notice("r", "ann-joined"), lane: "relay" }]);
    a.connected = true;
    outbox.wake("x");
    await until("all five sent", () => a.calls.length === 5);
    assert.deepEqual(
      a.calls.map((c) => c.split(" ")[2]),
      ["[pong]", "[m1]", "[m2]", "[m3]", "[ann-joined]"],
    );
    await outbox.stop();
    await store.close();
  });

  it("combines a backlog into one message per sender run, every source row recorded against it", async () => {
    const { store, outbox } = await setup();
    const a = new RoomsAdapter("x", { maxLines: 3, maxChars: 1000 });
    const delivered: string[] = [];
    outbox.onDelivered(async (_tx, d) => {
      delivered.push(`${d.ref}=${d.nativeIds.join(",")}`);
    });
    a.connected = false;
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue(["a1", "a2", "a3", "a4"].map((k) => relayed("r", k, "ann")));
    await outbox.enqueue(["b1", "b2"].map((k) => relayed("r", k, "bob")));
    await outbox.enqueue([relayed("r", "a5", "ann")]);
    a.connected = true;
    outbox.wake("x");
    await until("seven rows delivered", () => delivered.length === 7);
    assert.deepEqual(a.calls, ["send r [a1] a1|a2|a3", "send r [a4] a4", "send r [b1] b1|b2", "send r [a5] a5"]);
    assert.deepEqual(delivered, [
      "ref-a1=n1",
      "ref-a2=n1",
      "ref-a3=n1",
      "ref-a4=n2",
      "ref-b1=n3",
      "ref-b2=n3",
      "ref-a5=n4",
    ]);
    // An edit of one of them re-renders the message they share; a delete takes out its line only.
    await outbox.enqueue([
      { ...relayed("r", "a2-fix"), op: "edit", target: { key: "a2" } },
      { ...relayed("r", "a1-del"), op: "delete", target: { key: "a1" } },
    ]);
    await until("edit and delete done", () => a.calls.length === 6);
    assert.deepEqual(a.calls.slice(4), ["edit r n1 a1|a2-fix|a3", "edit r n1 a2-fix|a3"]);
    await outbox.stop();
    await store.close();
  });

  it("a combined message that failed is retried as exactly the same message, under the same key", async () => {
    const { store, outbox } = await setup();
    const a = new RoomsAdapter("x", { maxLines: 50, maxChars: 10_000 });
    a.connected = false;
    a.failOnce.add("a1");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue(["a1", "a2", "a3"].map((k) => relayed("r", k)));
    a.connected = true;
    outbox.wake("x");
    await until("the first attempt failed", () => a.attempts.get("r") === 1);
    await outbox.enqueue(["a4", "a5", "a6"].map((k) => relayed("r", k)));
    await until("all sent", () => a.calls.length === 2);
    assert.deepEqual(a.calls, ["send r [a1] a1|a2|a3", "send r [a4] a4|a5|a6"]);
    await outbox.stop();
    await store.close();
  });
});
