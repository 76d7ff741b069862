/**
 * adversarial.md, "Injection into IRC", through crier against the real InspIRCd: what the other section file does
 * not already prove. Every check reads what InspIRCd received from crier's connection (ircSaid) and what an IRC
 * user saw from crier (seenFromCrier).
 *
 * Proven in test/e2e/hostile/injection-irc.test.ts, on the same servers: CR, LF, CRLF, a lone CR and NUL in
 * message text, /me text, quoted reply text (CVE-2022-29166), Matrix edit text, display names and nicks, room names
 * given to admin commands (CVE-2023-38690), topics, file names, crier's own answers (irc-framework #244); \x01
 * smuggling (CVE-2022-2663); mIRC codes that hide text; a leading ':', spaces, '#a,#b' and 'JOIN 0'; a 200-line
 * paste. The encoder alone, for any text (fast-check): test/unit/adapters/irc/encoder.test.ts; excerpts of one enormous
 * line: test/unit/adapters/irc/excerpt.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { wireLineLimit } from "../../../src/adapters/irc/render.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { HostileNetworks, seenFromCrier } from "./wire.js";

const HOSTILE = "one\rQUIT :pwned\ntwo\r\nJOIN 0\rMODE #devel +o eve\0NICK evil";
const MAX_LINES = wireLineLimit(5);

describe("adversarial: injection into IRC", () => {
  const net = new HostileNetworks({ extra: { admins: ["irc.net:ivan{"] } }, { membership: true });
  let norm: MatrixTestUser;
  before(async () => {
    await net.start();
    await net.startApp();
    norm = await net.synapse.register("norm");
    await norm.join(net.room);
  });
  after(() => net.stop());

  it("CR, LF, CRLF and NUL in Discord edit text and in kick and leave reasons cannot become IRC commands", async () => {
    const mark = net.ircMark();
    const seen = net.ivan.lines.length;
    const m = net.discord.post(net.channelId, net.dora, "dc-edit-target");
    await net.waitIrc((t) => t.endsWith("dc-edit-target"));
    net.discord.edit(net.channelId, m.id, `dc-edited ${HOSTILE} end-dc-edit`);
    await net.waitIrc((t) => t.includes("end-dc-edit"));
    await net.mod.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(net.room)}/kick`, {
      user_id: norm.userId,
      reason: `kicked\r\nQUIT :kick\0 end-kick`,
    });
    const leaver = await net.synapse.register("leaver");
    await leaver.join(net.room);
    await leaver.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(net.room)}/leave`, {
      reason: `bye\rPART #devel\n end-leave`,
    });
    await net.ivan.waitFor(/NOTICE #devel :.*end-kick/);
    await net.ivan.waitFor(/NOTICE #devel :.*end-leave/);
    const said = net.ircSaid(mark);
    assert.ok(
      said.some((l) => l.includes("QUIT :pwned")),
      "the would-be commands arrived as text",
    );
    assert.ok(
      said.some((l) => /^NOTICE #devel :norm left \(kicked QUIT :kick/.test(l)),
      said.join("\n"),
    );
    seenFromCrier(net.ivan, seen);
    assert.equal(net.app!.app.ctx.adapters.get("irc.net")!.state(), "connected");
  });

  it("case-mapping twins (#foo[ and #foo{): a line to a twin of the linked channel is the channel's, a twin of an admin's nick is no admin", async () => {
    net.ivan.say("#DEVEL", "to-the-twin-channel");
    assert.equal((await net.waitDiscord((m) => m.content === "to-the-twin-channel")).author.username, "ivan");
    // `ivan{` is the configured admin; to the server `IVAN[` is the same nick, to crier it is not that admin.
    const twin = new RawIrcClient("IVAN[", net.irc.port);
    await twin.connect();
    try {
      twin.send(`JOIN ${CHANNEL}`);
      await twin.waitFor(/^(@\S+ )?:IVAN\[!\S+ JOIN :?#devel/);
      twin.say(CHANNEL, "!outbox");
      await twin.waitFor(/NOTICE #devel :only admins may use !outbox/);
    } finally {
      twin.close();
    }
  });

  it("the 512-byte limit: a 4,000-character word and a 64 KiB Matrix event are a handful of valid lines, not a flood", async () => {
    for (const [tag, body] of [
      ["word-4000", `word-4000 ${"x".repeat(4000)}`],
      ["event-64k", `event-64k ${"é漢😀 ".repeat(6_000)}`],
    ] as const) {
      const mark = net.ircMark();
      const seen = net.ivan.lines.length;
      await net.mara.sendText(net.room, body);
      await net.waitIrc((t) => t.includes(tag), 30_000);
      await net.mara.sendText(net.room, `after-${tag}`);
      await net.waitIrc((t) => t.endsWith(`after-${tag}`));
      const lines = net.ircSaid(mark).filter((l) => !l.endsWith(`after-${tag}`));
      assert.ok(lines.length <= MAX_LINES, `${lines.length} IRC lines for ${tag}`);
      // The cut is never silent: the last line counts what was left out and links to the whole message (#18).
      assert.match(ThreeNetworks.ircText(lines.at(-1)!), /… \(\d+ more lines: https:\/\/\S+\)$/);
      seenFromCrier(net.ivan, seen);
    }
  });
});
