/**
 * adversarial.md, "Names that break delivery", through crier against InspIRCd, Synapse and the fake Discord (which
 * refuses webhook names the way Discord does): every name below still gets its message delivered, nowhere dropped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CHANNEL, ThreeNetworks } from "../three/testbed.js";
import { HostileNetworks } from "./wire.js";

describe("adversarial: names that break delivery", () => {
  const net = new HostileNetworks({});
  before(async () => {
    await net.start();
    await net.startApp();
  });
  after(() => net.stop());

  it("names ending in the bridge's own suffix are relayed like anyone's, and cannot make crier think it left", async () => {
    const twin = await net.ircPerson("crier_");
    try {
      twin.say(CHANNEL, "twin speaks");
      await net.waitMatrix(
        (e) => String(e.content.body) === "twin speaks" || String(e.content.body).endsWith(": twin speaks"),
      );
      assert.equal((await net.waitDiscord((m) => m.content === "twin speaks")).author.username, "crier_");
      twin.send(`PART ${CHANNEL} :bye`);
      twin.send(`JOIN ${CHANNEL}`);
      twin.send(`PART ${CHANNEL} :bye again`);
      await twin.waitFor(/ PART #devel :bye again/);
      await net.mara.sendText(net.room, "after the twin left");
      assert.equal(
        ThreeNetworks.ircText(await net.waitIrc((t) => t.includes("after the twin left"))),
        "<mara> after the twin left",
      );
    } finally {
      twin.close();
    }
  });
});
