/**
 * Failover, bounded: crier processes on one PostgreSQL database (a schema of their own) and a real InspIRCd, a
 * schedule posting "tick" every 3 s. A is active, B standby. A is SIGKILLed: B takes over within 15 s (the issue's
 * bound) and A comes back as a standby. Then B is SIGSTOPped for 30 s: A takes over; B, resumed, sends nothing more
 * (checked on the server's side: no line from its nick) and says it is a standby. At the end every occurrence the
 * store recorded as delivered was seen in the channel exactly once. Prints the takeover times.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { stringify } from "yaml";
import { type InspIRCd, startInspIRCd } from "../testbed/inspircd.js";
import { RawIrcClient } from "../testbed/irc-client.js";
import { freePort, waitUntil } from "../testbed/ports.js";
import { PG_URL as URL, pgAdmin } from "../testbed/postgres.js";

/** The acceptance bound for a takeover (lease TTL 10 s + a standby's 1 s poll + starting the account). */
const TAKEOVER_MS = 15_000;
const CHANNEL = "#failover";

interface Instance {
  name: string;
  nick: string;
  httpPort: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: string;
}

describe("failover: two crier processes on one PostgreSQL", () => {
  const schema = `crier_fo_${randomBytes(4).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), "crier-failover-"));
  let admin: pg.Client;
  let server: InspIRCd;
  const running: Instance[] = [];

  before(async () => {
    admin = await pgAdmin(URL);
    await admin.query(`CREATE SCHEMA ${schema}`);
    server = await startInspIRCd();
  });
  after(async () => {
    for (const i of running) {
      i.proc.kill("SIGCONT");
      i.proc.kill("SIGKILL");
    }
    await server?.stop();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (name: string, nick: string): Promise<Instance> => {
    const httpPort = await freePort();
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        accounts: {
          "irc.fo": {
            host: "127.0.0.1",
            port: server.port,
            tls: false,
            nick,
            altNick: `${nick}x`,
            channels: [CHANNEL],
            burst: 20,
            lineIntervalMs: 20,
            regainEverySec: 3600,
          },
        },
        schedules: [{ id: "tick", cron: "*/3 * * * * *", zone: "UTC", text: "tick", to: [`irc.fo/${CHANNEL}`] }],
        store: { kind: "postgres", url: URL, schema, instance: name },
        http: { enabled: true, host: "127.0.0.1", port: httpPort },
        log: { level: "info" },
      }),
    );
    const proc = spawn(
      process.execPath,
      ["bin/crier.js", "start", "--config", file, "--state-dir", join(dir, `state-${name}`)],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const inst: Instance = {
      name,
      nick,
      httpPort,
      proc,
      stderr: "",
      exited: new Promise((r) => proc.once("exit", (code) => r(code))),
    };
    proc.stderr?.on("data", (d) => {
      inst.stderr = (inst.stderr + d).slice(-20_000);
    });
    running.push(inst);
    return inst;
  };

  const health = async (i: Instance): Promise<{ role: string; term: number | null; leader: string | null }> => {
    const res = await fetch(`http://127.0.0.1:${i.httpPort}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return (await res.json()) as { role: string; term: number | null; leader: string | null };
  };
  const roleIs = async (i: Instance, role: string) => (await health(i)).role === role;

  it("takes over within 15 s after SIGKILL and after SIGSTOP; a resumed old leader sends nothing", async () => {
    const watch = new RawIrcClient("watcher", server.port);
    await watch.connect();
    await watch.join(CHANNEL);
    const ticks = (nick?: string) => watch.messages(nick).filter((l) => l.endsWith(`${CHANNEL} :tick`)).length;

    const a = await start("A", "crier");
    await waitUntil("A active", () => roleIs(a, "active"), 60_000);
    const b = await start("B", "crier");
    await waitUntil("B up as a standby naming A", async () => (await health(b)).leader === "A", 60_000);
    assert.equal((await health(b)).role, "standby");
    await waitUntil("two ticks from A", () => ticks("crier") >= 2, 30_000);
    const termA = (await health(a)).term!;

    // 1. SIGKILL the active one.
    let t0 = Date.now();
    a.proc.kill("SIGKILL");
    await a.exited;
    await waitUntil("B active after A was killed", () => roleIs(b, "active"), TAKEOVER_MS);
    console.log(`SIGKILL: B active ${Date.now() - t0} ms after A died`);
    assert.equal((await health(b)).term, termA + 1);
    const a2 = await start("A2", "crier2");
    await waitUntil("A2 up as a standby naming B", async () => (await health(a2)).leader === "B", 60_000);
    const beforeB = ticks("crier");
    await waitUntil("two ticks from B", () => ticks("crier") >= beforeB + 2, 30_000);

    // 2. SIGSTOP the new active one for 30 s; A2 takes over (under its alternate-free nick).
    t0 = Date.now();
    b.proc.kill("SIGSTOP");
    await waitUntil("A2 active after B was paused", () => roleIs(a2, "active"), TAKEOVER_MS);
    console.log(`SIGSTOP: A2 active ${Date.now() - t0} ms after B was paused`);
    assert.equal((await health(a2)).term, termA + 2);
    await waitUntil("a tick from A2", () => ticks("crier2") >= 1, 30_000);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - t0))));
    const fromBAtResume = ticks("crier");
    b.proc.kill("SIGCONT");
    await waitUntil("B, resumed, a standby again", () => roleIs(b, "standby"), TAKEOVER_MS);
    const fromA2 = ticks("crier2");
    await waitUntil("three more ticks from A2", () => ticks("crier2") >= fromA2 + 3, 30_000);
    assert.equal(ticks("crier"), fromBAtResume, "B sent nothing after it was resumed");
    assert.match(b.stderr, /lease lost: this instance stops acting and becomes a standby/);

    // 3. Clean stops; every occurrence the store says went out was seen exactly once in the channel.
    for (const i of [b, a2]) i.proc.kill("SIGTERM");
    await Promise.all([b.exited, a2.exited]);
    const sent = await admin.query(
      `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE key LIKE 'config:tick@%' AND status = 'sent'`,
    );
    const claimed = await admin.query(
      `SELECT count(*)::int AS n FROM ${schema}.schedule_runs WHERE schedule_id = 'config:tick'`,
    );
    const inFlight = await admin.query(
      `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE key LIKE 'config:tick@%' AND status <> 'sent'`,
    );
    console.log(
      `ticks: ${claimed.rows[0].n} occurrences claimed, ${sent.rows[0].n} sent, ${inFlight.rows[0].n} still queued at the stop, ${ticks()} seen`,
    );
    await waitUntil("the channel to show every sent tick", () => ticks() >= sent.rows[0].n, 5_000).catch(
      () => undefined,
    );
    assert.equal(ticks(), sent.rows[0].n, "each sent occurrence seen once, none twice");
    assert.equal(sent.rows[0].n + inFlight.rows[0].n, claimed.rows[0].n, "one outbox row per claimed occurrence");
    watch.close();
  });
});
