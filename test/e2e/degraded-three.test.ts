/**
 * crier as a daemon against the real servers (issue #16): started with every server away (and one IRC host that
 * does not resolve) it stays up, /healthz shows the accounts down with their errors, and when the servers appear it
 * connects and relays; then, with 60 IRC lines said while it was away and 50 kept by the server, Matrix is told
 * what could not be recovered.
 */
import assert from "node:assert/strict";
import { createServer, type Server, connect as tcpConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import { freePort, waitUntil } from "../testbed/ports.js";
import { accountOf, CrierProcesses, health } from "./three/process.js";
import { CHANNEL, DISCORD, IRC, MATRIX, ThreeNetworks } from "./three/testbed.js";

describe("crier started with the networks away, and history it cannot recover", () => {
  const net = new ThreeNetworks({ ircHistoryLines: 50 });
  const crier = new CrierProcesses(net);
  let forwarder: Server | undefined;
  before(() => net.start());
  after(async () => {
    crier.killAll();
    forwarder?.close();
    await net.stop();
  });

  it("starts with every server away, stays up, shows the accounts down, then connects and relays", async () => {
    const httpPort = await freePort();
    const matrixPort = await freePort();
    await Promise.all([net.irc.kill(), net.discord.stop()]);
    net.ivan.close();
    const config = net.config();
    const accounts = config.accounts as Record<string, Record<string, unknown>>;
    accounts[MATRIX].homeserver = `http://127.0.0.1:${matrixPort}`;
    accounts["irc.nowhere"] = {
      host: "crier-test-host.invalid",
      port: 6667,
      tls: false,
      nick: "crier",
      channels: [CHANNEL],
    };
    const p = crier.start({ ...config, http: { enabled: true, host: "127.0.0.1", port: httpPort } }, "degraded");
    await waitUntil(
      "/healthz showing every account down with an error",
      async () => {
        const h = await health(httpPort);
        return [IRC, MATRIX, DISCORD, "irc.nowhere"].every((a) => {
          const s = accountOf(h, a);
          return s && s.state !== "connected" && s.failures >= 1 && !!s.lastError;
        });
      },
      120_000,
    );
    const down = await health(httpPort);
    assert.equal(down.ok, true, "one network down does not make crier unhealthy");
    assert.match(accountOf(down, IRC)!.lastError!, /ECONNREFUSED/);
    assert.match(accountOf(down, "irc.nowhere")!.lastError!, /ENOTFOUND|EAI_AGAIN|getaddrinfo/);
    assert.equal(p.child.exitCode, null, "crier is still running");

    // The servers appear: IRC and Discord on their ports again, Synapse behind a forwarder on the Matrix port.
    await Promise.all([net.irc.start(), net.discord.start()]);
    const synapsePort = Number(new URL(net.synapse.url).port);
    forwarder = createServer((socket) => {
      const up = tcpConnect(synapsePort, "127.0.0.1");
      socket.pipe(up).pipe(socket);
      up.on("error", () => socket.destroy());
      socket.on("error", () => up.destroy());
    });
    await new Promise<void>((r) => forwarder!.listen(matrixPort, "127.0.0.1", () => r()));
    await waitUntil(
      "IRC, Matrix and Discord connected",
      async () => {
        const h = await health(httpPort);
        return [IRC, MATRIX, DISCORD].every((a) => accountOf(h, a)?.state === "connected");
      },
      180_000,
    );
    await waitUntil("crier back in the IRC channel", () => crier.inChannel("crier"), 60_000);
    net.ivan = await net.ircPerson("ivan");
    net.ivan.say(CHANNEL, "hello after the outage");
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("hello after the outage"), 60_000);
    await net.waitDiscord((m) => m.content.includes("hello after the outage"), 60_000);
    const up = await health(httpPort);
    assert.equal(accountOf(up, "irc.nowhere")?.state === "connected", false, "the unresolvable host stays down");

    const { code, ms } = await crier.stopMeasured(p, "SIGTERM");
    console.log(`SIGTERM with one account still retrying: exited in ${ms} ms`);
    assert.equal(code, 0, "exits cleanly within 10 s");
  });
  it("tells Matrix what IRC's history could not give back: 60 lines said while away, 50 kept", async () => {
    const t = await net.startApp();
    net.ivan.say(CHANNEL, "the last line crier saw");
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("the last line crier saw"), 60_000);
    await t.close();
    net.app = undefined;
    for (let i = 0; i < 60; i++) net.ivan.say(CHANNEL, `said while away ${i}`);
    // Replayed lines are told from live ones by being over 2 s older than crier's join.
    await new Promise((r) => setTimeout(r, 2_100));
    await net.startApp();
    const notice = await net.waitMatrix((e) => /could not be recovered/.test(String(e.content.body ?? "")), 60_000);
    assert.match(
      String(notice.content.body),
      /some messages said on IRC in #devel between \d\d:\d\d and \d\d:\d\d UTC \(\d{4}-\d\d-\d\d\) could not be recovered/,
    );
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("said while away 59"), 60_000);
    const bodies = (await net.matrixFromCrier(300)).map((e) => String(e.content.body ?? ""));
    assert.ok(
      bodies.some((b) => b.includes("said while away 10")),
      "the oldest line the server kept was relayed",
    );
    assert.ok(!bodies.some((b) => /said while away 9\b/.test(b)), "the line the server dropped was not");
    assert.equal(bodies.filter((b) => /could not be recovered/.test(b)).length, 1, "said once");
  });
});
