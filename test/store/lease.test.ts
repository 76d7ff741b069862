/**
 * The leadership lease and fencing against a real PostgreSQL: take, renew, expire, takeover (the term grows), the
 * old holder fenced (its outbox write inside a transaction fails and leaves nothing), a takeover waiting for a fenced
 * transaction in flight, a paused holder's open transaction ended by the server, and two Leadership loops handing
 * over. Expiry is waited for on the database's own clock, never with a fixed sleep.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { coreMigrations } from "../../src/app.js";
import { createLogger } from "../../src/core/log.js";
import { fromPlain } from "../../src/core/richtext.js";
import { Outbox } from "../../src/delivery/outbox.js";
import { Leadership } from "../../src/lifecycle/leadership.js";
import { SystemClock } from "../../src/services/clock.js";
import { type Fence, FencedError } from "../../src/store/fence.js";
import { checkTerm, Lease } from "../../src/store/lease.js";
import { migrate } from "../../src/store/migrate.js";
import { PostgresStore } from "../../src/store/postgres.js";
import { PG_URL as URL, pgAdmin } from "../testbed/postgres.js";
import { waitUntil } from "../testbed/ports.js";

const log = createLogger({ level: "silent" });

const until = (cond: () => Promise<boolean> | boolean, what: string, limitMs = 30_000) =>
  waitUntil(what, cond, limitMs);

/** A fence that trusts only the database (a process whose own clock did not move: a frozen VM). */
const dbOnlyFence = (term: number): Fence => ({ check: (tx) => checkTerm(tx, term), holds: () => true });

const item = (key: string) => ({
  account: "irc.x",
  message: { room: "#r", body: fromPlain(key), kind: "notice" as const, idempotencyKey: key },
});

describe("PostgreSQL lease and fencing", () => {
  const schema = `crier_lease_${randomBytes(4).toString("hex")}`;
  let admin: pg.Client;
  let store: PostgresStore;
  let leaseA: Lease;
  let leaseB: Lease;

  before(async () => {
    admin = await pgAdmin(URL);
    await admin.query(`CREATE SCHEMA ${schema}`);
    store = new PostgresStore(URL, schema);
    await migrate(store, coreMigrations);
    leaseA = new Lease(store.dedicated());
    leaseB = new Lease(store.dedicated());
  });
  after(async () => {
    await leaseA?.close();
    await leaseB?.close();
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const expired = async () => {
    const row = await leaseA.current();
    return !!row && row.now > row.expiresAt;
  };

  it("takes a free lease as term 1; a second instance cannot take it while it is held", async () => {
    assert.equal(await leaseA.acquire("a", 60_000), 1);
    assert.equal(await leaseB.acquire("b", 60_000), undefined);
    const row = await leaseB.current();
    assert.equal(row?.holder, "a");
    assert.equal(row?.term, 1);
    assert.ok(row!.expiresAt > row!.now);
  });

  it("renews only for the holder of the current term", async () => {
    const before = (await leaseA.current())!.expiresAt;
    assert.equal(await leaseA.renew("a", 1, 120_000), true);
    assert.ok((await leaseA.current())!.expiresAt > before);
    assert.equal(await leaseB.renew("b", 1, 120_000), false, "another holder name");
    assert.equal(await leaseA.renew("a", 2, 120_000), false, "a term that is not the current one");
  });

  it("expires unrenewed; a takeover increments the term, and the old holder can neither renew nor commit", async () => {
    assert.equal(await leaseA.renew("a", 1, 300), true);
    await until(expired, "the lease of term 1 to expire");
    assert.equal(await leaseA.renew("a", 1, 60_000), false, "an expired lease is not renewed");
    assert.equal(await leaseB.acquire("b", 60_000), 2);
    assert.equal((await leaseA.current())?.holder, "b");

    const oldLeader = new Outbox(store, new SystemClock(), log, undefined, dbOnlyFence(1));
    await assert.rejects(oldLeader.enqueue([item("from-a")]), FencedError);
    await assert.rejects(
      store.tx(async (tx) => {
        await tx.run("INSERT INTO admin_warnings (key, text, at) VALUES ('w-a', 'x', 0)");
        await oldLeader.enqueue([item("from-a-in-tx")], tx);
      }),
      FencedError,
    );
    assert.equal(await store.get("SELECT key FROM outbox WHERE key LIKE 'from-a%'"), undefined);
    assert.equal(await store.get("SELECT key FROM admin_warnings WHERE key = 'w-a'"), undefined, "rolled back");

    const newLeader = new Outbox(store, new SystemClock(), log, undefined, dbOnlyFence(2));
    assert.equal(await newLeader.enqueue([item("from-b")]), 1);
  });

  it("a takeover waits for a fenced transaction in flight, which commits under the old term", async () => {
    assert.equal(await leaseB.renew("b", 2, 400), true);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const inFlight = store.tx(async (tx) => {
      await checkTerm(tx, 2);
      order.push("fenced");
      await held;
      await tx.run("INSERT INTO admin_warnings (key, text, at) VALUES ('w-b', 'x', 0)");
    });
    await until(() => order.length === 1, "the fenced transaction to take its share lock");
    await until(expired, "the lease of term 2 to expire");
    const takeover = leaseA.acquire("a", 60_000).then((term) => {
      order.push(`takeover ${term}`);
      return term;
    });
    // The takeover cannot finish while the share lock is held: give it the chance, then let the transaction end.
    await until(
      async () =>
        Number(
          (
            await admin.query(
              "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO crier_lease%'",
            )
          ).rows[0].n,
        ) === 1,
      "the takeover to wait on the lease row",
    );
    order.push("commit");
    release();
    await inFlight;
    assert.equal(await takeover, 3);
    assert.deepEqual(order, ["fenced", "commit", "takeover 3"]);
    assert.ok(await store.get("SELECT key FROM admin_warnings WHERE key = 'w-b'"));
  });

  it("a holder paused inside a fenced transaction loses it to the server's idle timeout; the takeover goes on", async () => {
    assert.equal(await leaseA.renew("a", 3, 400), true);
    let resume!: () => void;
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let fenced = false;
    const stuck = store.tx(async (tx) => {
      await checkTerm(tx, 3);
      fenced = true;
      await paused; // idle in transaction, holding the share lock, like a SIGSTOPped process
      await tx.run("INSERT INTO admin_warnings (key, text, at) VALUES ('w-paused', 'x', 0)");
    });
    await until(() => fenced, "the paused transaction to hold its share lock");
    await until(expired, "the lease of term 3 to expire");
    assert.equal(await leaseB.acquire("b", 60_000), 4, "taken over once the server ended the idle transaction");
    resume();
    await assert.rejects(stuck);
    assert.equal(await store.get("SELECT key FROM admin_warnings WHERE key = 'w-paused'"), undefined);
    await leaseB.release("b", 4);
  });

  it("a promotion that fails stands the instance down again, fenced", async () => {
    const lease = new Lease(store.dedicated());
    const z = new Leadership(lease, { instance: "z", ttlMs: 60_000, renewMs: 15_000, pollMs: 250 }, log);
    const demoted: string[] = [];
    z.setHooks({
      promote: async () => {
        throw new Error("port in use");
      },
      demote: async (reason) => {
        demoted.push(reason);
      },
    });
    const free = (await leaseA.current())!;
    await leaseA.release(free.holder, free.term);
    try {
      z.start();
      await until(() => demoted.length === 1, "z to stand down after its failed promotion");
      assert.equal(demoted[0], "starting failed: port in use");
      assert.equal(z.holds(), false);
      await assert.rejects(
        store.tx((tx) => z.check(tx)),
        FencedError,
      );
    } finally {
      await z.stop();
      await z.release();
    }
    // z stood down without giving the lease up: it still runs until its expiry, so nobody acts twice meanwhile.
    assert.equal((await leaseA.current())?.holder, "z");
    const row = (await leaseA.current())!;
    await admin.query(`UPDATE ${schema}.crier_lease SET expires_at = 0 WHERE term = $1`, [row.term]);
  });

  it("two Leadership loops: one active, the other takes over when it stops renewing, and the first is fenced", async () => {
    const opts = (instance: string) => ({ instance, ttlMs: 3_000, renewMs: 750, pollMs: 250 });
    const events: string[] = [];
    const hooks = (name: string) => ({
      promote: async (term: number) => {
        events.push(`${name} active ${term}`);
      },
      demote: async (reason: string) => {
        events.push(`${name} standby: ${reason}`);
      },
    });
    const x = new Leadership(new Lease(store.dedicated()), opts("x"), log);
    const y = new Leadership(new Lease(store.dedicated()), opts("y"), log);
    x.setHooks(hooks("x"));
    y.setHooks(hooks("y"));
    try {
      x.start();
      await until(() => x.status().role === "active", "x to become active");
      const xTerm = x.status().term!;
      assert.ok(xTerm > 4, `term ${xTerm}`);
      assert.equal(x.holds(), true);
      y.start();
      await until(() => y.status().leader === "x", "y to see x as the active instance");
      assert.deepEqual(y.status(), { role: "standby", instance: "y", term: xTerm, leader: "x" });
      await assert.rejects(
        store.tx((tx) => y.check(tx)),
        FencedError,
        "a standby is fenced",
      );

      // x stops renewing (its loop ends, as if its database connection were gone): it demotes itself by its own
      // deadline, and y takes over once the lease has expired on the database's clock.
      await x.stop();
      await until(() => y.status().role === "active", "y to take over");
      assert.equal(y.status().term, xTerm + 1);
      assert.equal(x.holds(), false);
      await assert.rejects(
        store.tx((tx) => x.check(tx)),
        FencedError,
      );
      await store.tx((tx) => y.check(tx));
      assert.deepEqual(
        events.filter((e) => !e.includes("standby")),
        [`x active ${xTerm}`, `y active ${xTerm + 1}`],
      );
      assert.ok(
        events.some((e) => e.startsWith("x standby: the lease could not be renewed in time")),
        events.join("; "),
      );

      // A clean stop releases the lease: x, competing again, takes it on its next poll.
      x.start();
      await y.stop();
      await y.release();
      await until(() => x.status().role === "active", "x to take the released lease");
      assert.equal(x.status().term, xTerm + 2);
    } finally {
      await x.stop();
      await x.release();
      await y.stop();
      await y.release();
    }
  });
});
