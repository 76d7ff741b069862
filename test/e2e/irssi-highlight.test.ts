/**
 * What a person on IRC sees in a real client (issue #18): irssi with its default settings, in tmux, joined to the
 * linked channel. A Matrix pill of carol arrives on IRC as a line irssi highlights for carol (it leads with her
 * nick), and a line that does not address her is not highlighted. Read back with irssi's own `/lastlog -hilight`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Irssi } from "../testbed/irssi.js";
import { waitUntil } from "../testbed/ports.js";
import { CHANNEL, ThreeNetworks } from "./three/testbed.js";

describe("irssi highlights (real client, default settings)", () => {
  const net = new ThreeNetworks();
  let irssi: Irssi;
  before(async () => {
    await net.start();
    await net.startApp();
    irssi = new Irssi("carol", net.irc.port);
    irssi.start();
    await irssi.waitScreen("the connection", /End of message of the day|MOTD/i, 30_000);
    irssi.type(`/join ${CHANNEL}`);
    await waitUntil("carol in the channel", () => net.ivan.lines.some((l) => /:carol!\S+ JOIN :?#devel/.test(l)));
  });
  after(async () => {
    irssi?.stop();
    await net.stop();
  });

  it("a Matrix pill of carol is a highlight in irssi; a line without her name is not", async () => {
    // crier's member lists update on their own time: wait until it knows carol is in the channel.
    await waitUntil("crier sees carol on IRC", async () => {
      const members = await net.app!.app.ctx.adapters.get("irc.net")!.members!(CHANNEL);
      return !!members?.some((m) => m.user.name === "carol");
    });
    await net.mara.sendHtml(
      net.room,
      "carol: pill h1",
      '<a href="https://matrix.to/#/@carol:localhost">carol</a>: pill h1',
    );
    await net.mara.sendText(net.room, "nobody named here h2");
    await irssi.waitScreen("both lines", /pill h1[\s\S]*nobody named here h2/);
    // A cleared window first, so that what shows next is only what /lastlog -hilight prints.
    irssi.type("/clear");
    await waitUntil("the window cleared", () => !/pill h1/.test(irssi.screen()));
    irssi.type("/lastlog -hilight");
    const shown = await irssi.waitScreen("the highlighted lines", /End of Lastlog/);
    assert.match(shown, /Lastlog:\s*\n.*< crier> carol: <\S+> pill h1\s*\nEnd of Lastlog/);
    assert.doesNotMatch(shown, /nobody named here h2/, "a line that does not address carol is no highlight");
  });
});
