/** Joins, display-name changes, topics and leaves in a Matrix room reach the other rooms of a link that asks. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MatrixAdapter } from "../../src/adapters/matrix/adapter.js";
import { makeTestApp, type TestApp } from "../helpers/app.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { type Synapse, startSynapse } from "../testbed/synapse.js";

describe("membership relay from Matrix (membership: true)", () => {
  let server: Synapse;
  let alice: MatrixTestUser;
  let room: string;
  let t: TestApp;
  before(async () => {
    server = await startSynapse();
    const bot = await server.register("crier");
    alice = await server.register("alice");
    room = await alice.createRoom({ invite: [bot.userId] });
    t = await makeTestApp({
      accounts: {
        console: { user: "op", rooms: ["a"] },
        "matrix.hs": { homeserver: server.url, accessToken: bot.token, rooms: [room], syncTimeoutMs: 1000 },
      },
      links: [
        {
          name: "devel",
          membership: true,
          rooms: [
            { account: "console", room: "a" },
            { account: "matrix.hs", room },
          ],
        },
      ],
    });
    await (t.app.ctx.adapters.get("matrix.hs") as MatrixAdapter).whenSynced();
  });
  after(async () => {
    await t?.close();
    await server?.stop();
  });

  it("relays a join, a display-name change, a topic and a leave, once each", async () => {
    const bob = await server.register("bob");
    await bob.join(room);
    await t.console.waitFor((s) => s.text === "bob joined", 15_000);
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/state/m.room.member/${encodeURIComponent(bob.userId)}`;
    await bob.request("PUT", path, { membership: "join", displayname: "Bob the Builder" });
    await t.console.waitFor((s) => s.text === "bob is now known as Bob the Builder", 15_000);
    await alice.request("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/state/m.room.topic/`, {
      topic: "Release 6.0\nsee the agenda",
    });
    await t.console.waitFor((s) => s.text === "alice set the topic: Release 6.0 see the agenda", 15_000);
    await bob.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/leave`, { reason: "lunch" });
    await t.console.waitFor((s) => s.text === "Bob the Builder left (lunch)", 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const said = t.console.sent.map((s) => s.text).filter((x) => /bob|topic/i.test(x));
    assert.deepEqual(said, [
      "bob joined",
      "bob is now known as Bob the Builder",
      "alice set the topic: Release 6.0 see the agenda",
      "Bob the Builder left (lunch)",
    ]);
  });
});
