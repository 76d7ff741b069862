/**
 * What people on each network see of a conversation across one link of a real InspIRCd channel, a real Synapse
 * room and a fake Discord channel (issue #18): crier's answers reach every room of the link.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitUntil } from "../testbed/ports.js";
import { Answers } from "./three/answers.js";
import { CHANNEL, ThreeNetworks } from "./three/testbed.js";

describe("bridge fidelity across IRC, Matrix and Discord (issue #18)", () => {
  const net = new ThreeNetworks({ extra: { timezones: { world: ["UTC", "Europe/Berlin"] } } });
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
});
