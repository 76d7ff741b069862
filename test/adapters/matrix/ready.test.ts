/**
 * Start-up against a real Synapse: a Matrix account counts as up (and its outbox delivers) once crier is known to
 * the homeserver and its rooms are joined — never only after the first long-poll /sync answers, which in a quiet
 * room takes the whole sync timeout (30 s by default). Here a proxy holds every long-poll /sync unanswered for the
 * whole second start, with the default timeout: a message queued right after that start must still arrive.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { MatrixAdapter } from "../../../src/adapters/matrix/adapter.js";
import { makeTestApp } from "../../helpers/app.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { type LossyProxy, startLossyProxy } from "../../testbed/synapse-proxy.js";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";

const ACCOUNT = "matrix.hs";
let server: Synapse;
let proxy: LossyProxy;
let bot: MatrixTestUser;
let mara: MatrixTestUser;
let room: string;
const stateDir = mkdtempSync(join(tmpdir(), "crier-matrix-ready-"));

before(async () => {
  server = await startSynapse();
  proxy = await startLossyProxy(server.url);
  bot = await server.register("crier");
  mara = await server.register("mara");
  room = await mara.createRoom({ invite: [bot.userId], name: "quiet" });
});
after(async () => {
  proxy?.holdLongPolls(false);
  await proxy?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const config = () => ({
  // The default sync timeout (30 s): the case of a quiet room after a restart.
  accounts: { [ACCOUNT]: { homeserver: proxy.url, accessToken: bot.token, rooms: [room] } },
  http: { enabled: false },
});

it("delivers a message queued right after a restart while the first long-poll /sync is still unanswered", async () => {
  // First start: the initial /sync (no position yet, answered at once) gives crier a saved sync position.
  const first = await makeTestApp(config(), { stateDir });
  await (first.app.ctx.adapters.get(ACCOUNT) as MatrixAdapter).whenSynced();
  await first.close();

  // Second start from that position: its first /sync is a long poll, and the proxy holds every one of them.
  proxy.holdLongPolls(true);
  const second = await makeTestApp(config(), { stateDir });
  try {
    await second.app.ctx.notify({ account: ACCOUNT, room }, "queued right after start");
    const [got] = await mara.waitFor(
      room,
      (e) => e.sender === bot.userId && String(e.content?.body).includes("queued right after start"),
    );
    assert.ok(got, "the message reached the room");
    assert.ok(proxy.held >= 1, "crier's first /sync after the restart was a long poll, held unanswered");
    assert.equal(second.app.ctx.adapters.get(ACCOUNT)?.state(), "connected");
  } finally {
    proxy.holdLongPolls(false);
    await second.close();
  }
});
