/**
 * What people on each network see of a conversation across one link of a real InspIRCd channel, a real Synapse
 * room and a fake Discord channel (issue #18): crier's answers reach every room of the link.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { freePort, waitUntil } from "../testbed/ports.js";
import { Answers } from "./three/answers.js";
import { CHANNEL, MATRIX, ThreeNetworks } from "./three/testbed.js";

describe("bridge fidelity across IRC, Matrix and Discord (issue #18)", () => {
  /** Read each time crier starts: the web server is switched on for the second half. */
  const extra: Record<string, unknown> = { timezones: { world: ["UTC", "Europe/Berlin"] } };
  const net = new ThreeNetworks({ extra, linkOptions: { describeChanges: true } });
  let say: Answers;
  before(async () => {
    await net.start();
    await net.startApp();
    say = new Answers(net);
  });
  after(() => net.stop());

  it("!time 15:00 UTC said on IRC is answered on IRC, Matrix and Discord as crier's own notice", async () => {
    const mark = say.mark();
    net.ivan.say(CHANNEL, "!time 15:00 UTC");
    // The answer, not the relayed command (which also says 15:00 UTC).
    const answer = /^(?!.*!time).*15:00 UTC.*→/;
    const seen = await say.everywhere(mark, answer);
    assert.match(seen.irc, /Berlin/);
    assert.match(seen.matrix, /Berlin/);
    assert.match(seen.discord, /Berlin|<t:\d+/);
    const ircNotice = net.ivan.lines.slice(mark.irc).find((l) => / NOTICE #devel :/.test(l) && /→/.test(l));
    assert.ok(ircNotice, "on IRC the answer is a NOTICE");
    const [m] = (await net.matrixFromCrier()).filter((e) => String(e.content.body) === seen.matrix);
    assert.equal(m.content.msgtype, "m.notice", "on Matrix crier's own notice, not a relayed message");
  });

  it("a private answer stays private: !time in a private message is answered there only", async () => {
    const mark = say.mark();
    net.ivan.say("crier", "!time 04:00 UTC");
    await waitUntil("crier's private answer to ivan", () =>
      net.ivan.lines.slice(mark.irc).some((l) => / (NOTICE|PRIVMSG) ivan :.*04:00 UTC/.test(l)),
    );
    // A later public answer is the fence: once it shows up on Matrix and Discord, the private one would have too.
    net.ivan.say(CHANNEL, "!time 17:00 UTC");
    await say.everywhere(mark, /^(?!.*!time).*17:00 UTC.*→/);
    assert.ok(!say.discordSince(mark).some((t) => t.includes("04:00 UTC")));
    assert.ok(!(await net.matrixFromCrier()).some((e) => String(e.content.body).includes("04:00 UTC")));
  });

  it("a Discord attachment arrives on Matrix as an m.image uploaded to the homeserver, and on IRC as its link", async () => {
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
      "hex",
    );
    // Discord's CDN serves attachments without a login; here a local server stands in for it.
    const cdn = createServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(png));
    await new Promise<void>((r) => cdn.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}/attachments/1/2/cat.png`;
    try {
      net.discord.post(net.channelId, net.dora, "look p9", {
        attachments: [
          { id: "1", filename: "cat.png", size: png.length, url, proxy_url: url, content_type: "image/png" },
        ],
      });
      const image = await net.waitMatrix((e) => e.content.msgtype === "m.image", 30_000);
      assert.equal(image.content.body, "cat.png");
      assert.deepEqual(image.content.info, { mimetype: "image/png", size: png.length });
      const mxc = String(image.content.url);
      assert.match(mxc, /^mxc:\/\/localhost\//, "uploaded to the homeserver, not a link to the CDN");
      const [server, id] = mxc.slice("mxc://".length).split("/");
      const res = await fetch(`${net.synapse.url}/_matrix/client/v1/media/download/${server}/${id}`, {
        headers: { authorization: `Bearer ${net.mara.token}` },
      });
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
      await net.waitMatrix((e) => String(e.content.body).endsWith("look p9"));
      await net.waitIrc((t) => t.includes("look p9") && t.includes(url));
    } finally {
      cdn.close();
    }
  });

  it("describeChanges: a Matrix reaction and delete are told on IRC as lines; Discord reacts and deletes natively", async () => {
    const eventId = await net.mara.sendText(net.room, "a message soon taken back");
    await net.waitIrc((t) => t.includes("a message soon taken back"));
    const copy = await net.waitDiscord((m) => m.content.includes("a message soon taken back"));
    const mark = say.mark();
    await net.mod.send(
      net.room,
      { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key: "👍" } },
      "m.reaction",
    );
    assert.match(await say.onIrc(mark, /reacted 👍 to ‹a message soon taken back›$/), /^moddy/);
    await net.mara.redact(net.room, eventId);
    await say.onIrc(mark, /^\(mara.*deleted a message\)$/);
    const left = () => net.discord.world.messages.get(net.channelId) ?? [];
    await waitUntil("the Discord copy deleted", () => !left().some((m) => m.id === copy.id));
  });

  it("web off: a 5,000-character Matrix message reaches IRC as an excerpt plus the matrix.to permalink of the original", async () => {
    const long = longText("off");
    const eventId = await net.mara.sendText(net.room, long);
    const last = await net.waitIrc((t) => /… \(\d+ more lines: /.test(t) && t.includes("matrix.to"));
    const link = /more lines: (\S+)\)/.exec(ThreeNetworks.ircText(last))?.[1];
    const roomId =
      (net.app!.app.ctx.adapters.get(MATRIX) as unknown as { idOf: Map<string, string> }).idOf.get(net.room) ??
      net.room;
    assert.equal(link, `https://matrix.to/#/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`);
    assert.ok(roomId.startsWith("!") && eventId.startsWith("$"));
    const first = await net.waitIrc((t) => t.includes("off-w0000"));
    assert.match(ThreeNetworks.ircText(first), /^<mara> off-w0000/);
  });

  it("web on: the same message's excerpt links to crier's paste page, which serves the whole text", async () => {
    await net.app!.close();
    net.app = undefined;
    const port = await freePort();
    extra.http = { enabled: true, host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}` };
    await net.startApp();
    const long = longText("on");
    await net.mara.sendText(net.room, long);
    const last = await net.waitIrc((t) => /… \(\d+ more lines: /.test(t) && t.includes("/paste/"));
    const link = /more lines: (\S+)\)/.exec(ThreeNetworks.ircText(last))?.[1] ?? "";
    assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${port}/paste/[0-9a-f]{16}$`));
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.ok((await res.text()).includes(long), "the page holds the whole message");
  });

  it("web on: an image sent on Matrix reaches IRC as a link anyone can open (200, the same bytes, no token)", async () => {
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
      "hex",
    );
    const mxc = await net.mara.upload(png, "image/png", "dot.png");
    await net.mara.send(net.room, { msgtype: "m.image", body: "dot.png", url: mxc, info: { mimetype: "image/png" } });
    const line = ThreeNetworks.ircText(await net.waitIrc((t) => /\/matrix-media\//.test(t)));
    const url = /(http:\/\/\S+\/matrix-media\/[^\s)]+)/.exec(line)?.[1] ?? "";
    assert.match(url, /\/matrix-media\/matrix\.hs\/localhost\/\w+\/[\w-]{32}\/dot\.png$/, line);
    const res = await fetch(url); // what an IRC reader's browser does: no Matrix login, no token
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
    // Only files crier linked: the same path for another media id is refused.
    const forged = url.replace(
      /\/matrix-media\/matrix\.hs\/localhost\/\w+\//,
      "/matrix-media/matrix.hs/localhost/other/",
    );
    assert.equal((await fetch(forged)).status, 404);
  });
});

/** 5,000 characters of numbered words, so a cut anywhere shows. */
function longText(tag: string): string {
  const words: string[] = [];
  for (let i = 0; words.join(" ").length < 5000; i++) words.push(`${tag}-w${String(i).padStart(4, "0")}`);
  return words.join(" ").slice(0, 5000);
}
