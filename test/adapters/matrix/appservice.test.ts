/**
 * In appservice mode the registration says `rate_limited: false`: under Synapse's default message limit (a burst
 * of 10, then 0.2/s — a bot would need about 25 minutes for 300 messages) 300 relayed messages from two ghosts all
 * arrive, in order, from the right ghost, and crier meets no 429 at all. The time taken is printed, not asserted.
 * A sender's avatar (from a stand-in CDN) becomes the ghost's, read once per URL and uploaded once per image.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appserviceSchema } from "../../../src/adapters/matrix/config.js";
import { buildRegistration, loadOrCreateTokens, writeRegistration } from "../../../src/adapters/matrix/registration.js";
import { freePort, waitUntil } from "../../testbed/ports.js";
import type { MatrixTestUser, RawEvent } from "../../testbed/synapse-client.js";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";
import { type Harness, makeMatrixAdapter, relay } from "./harness.js";

const COUNT = 300;

describe("Matrix appservice adapter under Synapse's default rate limits", () => {
  const dir = mkdtempSync(join(tmpdir(), "crier-as-rl-"));
  let server: Synapse;
  let alice: MatrixTestUser;
  let h: Harness;
  let room: string;

  before(async () => {
    const appservice = { serverName: "localhost", port: await freePort(), registration: join(dir, "reg.yaml") };
    const { tokens } = loadOrCreateTokens(dir, "matrix.test");
    writeRegistration(appservice.registration, buildRegistration(appserviceSchema.parse(appservice), tokens));
    server = await startSynapse({
      realistic: { perSecond: 0.2, burst: 10 },
      appServiceConfigFiles: [appservice.registration],
    });
    alice = await server.register("alice");
    room = await alice.createRoom({ name: "busy" });
    h = await makeMatrixAdapter({ mode: "appservice", homeserver: server.url, rooms: [room], appservice });
    await h.start();
  });
  after(async () => {
    await h?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`sends ${COUNT} messages from two ghosts: all arrive in order from the right ghost, with no 429`, async () => {
    const started = Date.now();
    for (let i = 1; i <= COUNT; i++) {
      const nick = i % 2 ? "ivan" : "olga";
      await h.adapter.send(
        relay(room, `as burst ${i}`, nick, {
          sender: {
            name: nick,
            key: `irc.test:${nick}`,
            puppet: { id: ["irc", "test", nick], displayName: `${nick} (IRC)` },
          },
        }),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    let got: RawEvent[] = [];
    await waitUntil(
      `${COUNT} messages in the room`,
      async () => {
        got = (await alice.messages(room, 1000)).filter((e) => /^as burst \d+$/.test(e.content?.body ?? ""));
        return got.length >= COUNT;
      },
      60_000,
    );
    assert.deepEqual(
      got.map((e) => Number(/(\d+)$/.exec(e.content.body)?.[1])),
      Array.from({ length: COUNT }, (_, i) => i + 1),
    );
    for (const e of got) {
      const n = Number(/(\d+)$/.exec(e.content.body)?.[1]);
      assert.equal(e.sender, `@crier_irc_test_${n % 2 ? "ivan" : "olga"}:localhost`);
    }
    assert.equal(h.adapter.rateLimited, 0, "no 429 met");
    console.log(`# ${COUNT} ghost sends in ${seconds.toFixed(1)} s under 0.2 msg/s limits, 0 answers of 429`);
  });

  it("gives a ghost its sender's avatar, read once per URL and uploaded once per image", async () => {
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
      "base64",
    );
    const hits: string[] = [];
    const cdn = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "image/png" }).end(png);
    });
    await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}/avatars`;
    try {
      const from = (nick: string, avatarUrl: string, text: string) =>
        h.adapter.send(
          relay(room, text, nick, {
            sender: {
              name: nick,
              key: `discord.test:${nick}`,
              avatarUrl,
              puppet: { id: ["discord", nick], displayName: nick },
            },
          }),
        );
      const profile = (id: string) =>
        alice.request("GET", `/_matrix/client/v3/profile/${encodeURIComponent(`@crier_discord_${id}:localhost`)}`);
      const avatarOf = async (id: string) => {
        let p: { avatar_url?: string } = {};
        await waitUntil(
          `an avatar on ghost ${id}`,
          async () => {
            p = await profile(id);
            return !!p.avatar_url;
          },
          20_000,
        );
        return p;
      };
      await from("1001", `${base}/1001/a.png`, "avatar one");
      const p1 = await avatarOf("1001");
      await from("1001", `${base}/1001/a.png`, "avatar one again");
      await from("1002", `${base}/1002/b.png`, "avatar two, the same image");
      const p2 = await avatarOf("1002");
      assert.match(String(p1.avatar_url), /^mxc:\/\/localhost\//);
      assert.equal(p2.avatar_url, p1.avatar_url, "the same image is uploaded once");
      assert.deepEqual(hits, ["/avatars/1001/a.png", "/avatars/1002/b.png"], "each URL is read once");
    } finally {
      cdn.close();
    }
  });
});
