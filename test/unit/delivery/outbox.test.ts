import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { coreMigrations } from "../../../src/app.js";
import { type Adapter, NO_CAPABILITIES, type OutgoingMessage, PermanentSendError } from "../../../src/core/adapter.js";
import { createLogger } from "../../../src/core/log.js";
import { fromPlain } from "../../../src/core/richtext.js";
import { Outbox } from "../../../src/delivery/outbox.js";
import { SystemClock } from "../../../src/services/clock.js";
import { migrate } from "../../../src/store/migrate.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import { waitUntil } from "../../testbed/ports.js";

const log = createLogger({ level: "silent" });

/** An adapter whose sends can fail on demand; records what it delivered. */
class FlakyAdapter implements Partial<Adapter> {
  readonly capabilities = NO_CAPABILITIES;
  delivered: string[] = [];
  connected = true;
  failNext = 0;
  permanent = new Set<string>();
  constructor(readonly account: string) {}
  state() {
    return this.connected ? ("connected" as const) : ("disconnected" as const);
  }
  async send(m: OutgoingMessage) {
    if (this.permanent.has(m.idempotencyKey)) throw new PermanentSendError("room is gone");
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("temporary failure");
    }
    this.delivered.push(m.idempotencyKey);
    return { nativeIds: [`n-${m.idempotencyKey}`] };
  }
}

const item = (account: string, key: string) => ({
  account,
  message: { room: "r", body: fromPlain(key), kind: "notice" as const, idempotencyKey: key },
});
const until = (pred: () => boolean | Promise<boolean>, ms = 8000) =>
  waitUntil("the outbox to deliver", pred, ms, { everyMs: 10 });

async function setup(file = join(mkdtempSync(join(tmpdir(), "crier-outbox-")), "c.db")) {
  const store = new SqliteStore(file);
  await migrate(store, coreMigrations);
  return { store, file, outbox: new Outbox(store, new SystemClock(), log) };
}

describe("outbox", () => {
  it("delivers in order, each key once even when enqueued twice", async () => {
    const { store, outbox } = await setup();
    const a = new FlakyAdapter("x");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue(["k1", "k2", "k3"].map((k) => item("x", k)));
    assert.equal(await outbox.enqueue([item("x", "k2")]), 0);
    await until(() => a.delivered.length === 3);
    assert.deepEqual(a.delivered, ["k1", "k2", "k3"]);
    await outbox.stop();
    await store.close();
  });

  it("waits while the target is down and keeps order through retries", async () => {
    const { store, outbox } = await setup();
    const a = new FlakyAdapter("x");
    a.connected = false;
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue(["a", "b"].map((k) => item("x", k)));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(a.delivered, []);
    assert.equal((await outbox.depths())[0].pending, 2);
    a.failNext = 1;
    a.connected = true;
    outbox.wake("x");
    await until(() => a.delivered.length === 2);
    assert.deepEqual(a.delivered, ["a", "b"]);
    await outbox.stop();
    await store.close();
  });

  it("parks what can never be delivered, warns admins once, and goes on", async () => {
    const { store, outbox } = await setup();
    const warnings: string[] = [];
    outbox.setAdminWarning((text) => warnings.push(text));
    const a = new FlakyAdapter("x");
    a.permanent.add("dead");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue(["dead", "alive"].map((k) => item("x", k)));
    await until(() => a.delivered.includes("alive"));
    const [d] = await outbox.depths();
    assert.equal(Number(d.parked), 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /parked: room is gone/);
    await outbox.stop();
    await store.close();
  });

  it("after a restart, sends what was pending before it", async () => {
    const first = await setup();
    await first.outbox.enqueue(["p1", "p2"].map((k) => item("x", k)));
    await first.store.close();
    const second = await setup(first.file);
    const a = new FlakyAdapter("x");
    second.outbox.attach(a as unknown as Adapter);
    await until(() => a.delivered.length === 2);
    assert.deepEqual(a.delivered, ["p1", "p2"]);
    await second.outbox.stop();
    await second.store.close();
  });

  it("hands back the caller's ref when delivered, inside the transaction, and knows nothing else of it", async () => {
    const { store, outbox } = await setup();
    const seen: Array<{ key: string; ref?: string; nativeIds: string[] }> = [];
    outbox.onDelivered(async (tx, d) => {
      assert.ok(tx);
      seen.push({ key: d.key, ref: d.ref, nativeIds: d.nativeIds });
    });
    const a = new FlakyAdapter("x");
    outbox.attach(a as unknown as Adapter);
    await outbox.enqueue([{ ...item("x", "r1"), ref: "opaque:1" }, item("x", "r2")]);
    await until(() => seen.length === 2);
    assert.deepEqual(seen, [
      { key: "r1", ref: "opaque:1", nativeIds: ["n-r1"] },
      { key: "r2", ref: undefined, nativeIds: ["n-r2"] },
    ]);
    await outbox.stop();
    await store.close();
  });

  it("an edit naming an earlier delivery by key acts on the native ids that delivery produced", async () => {
    const { store, outbox } = await setup();
    const a = new FlakyAdapter("x");
    const edits: Array<{ ids: string[]; key: string }> = [];
    const editable = Object.assign(a, {
      async edit(_room: string, ids: string[], m: OutgoingMessage) {
        edits.push({ ids, key: m.idempotencyKey });
      },
    });
    a.connected = false;
    outbox.attach(editable as unknown as Adapter);
    await outbox.enqueue([item("x", "orig"), { ...item("x", "fix"), op: "edit", target: { key: "orig" } }]);
    a.connected = true;
    outbox.wake("x");
    await until(() => edits.length === 1);
    assert.deepEqual(edits, [{ ids: ["n-orig"], key: "fix" }]);
    await outbox.stop();
    await store.close();
  });
});
