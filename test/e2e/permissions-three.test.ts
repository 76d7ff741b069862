/**
 * The permissions matrix on the real networks, enumerated from the command registry: every command that is not
 * for anyone, run on IRC, Matrix and Discord by someone who administers the room there (IRC channel operator,
 * Matrix power level ≥ 50, Discord Manage Server) and by someone who does not; and on IRC in a private message,
 * where nobody is a channel operator. A new admin command is covered automatically.
 *
 * Private messages on Matrix and Discord are not in the matrix: crier declines Matrix invitations from non-admins
 * (test/adapters/matrix), and its Discord commands are read in guild channels only.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { features } from "../../src/features/index.js";
import type { RawIrcClient } from "../testbed/irc-client.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { waitUntil } from "../testbed/ports.js";
import { CHANNEL, ThreeNetworks } from "./three/testbed.js";

const restricted = features.flatMap((f) => (f.commands ?? []).filter((c) => c.permission !== "anyone"));

describe("permissions matrix on IRC, Matrix and Discord", () => {
  const net = new ThreeNetworks();
  let nico: RawIrcClient;
  let norm: MatrixTestUser;
  before(async () => {
    await net.start(); // ivan created #devel, so he is its operator
    await net.startApp();
    nico = await net.ircPerson("nico");
    norm = await net.synapse.register("norm");
    await norm.join(net.room);
  });
  after(async () => {
    nico?.close();
    await net.stop();
  });

  it("has restricted commands to check, each with an example", () => {
    assert.ok(restricted.length >= 3);
    for (const c of restricted) assert.ok(c.examples.length, `${c.prefix ?? "!"}${c.name} declares an example`);
  });

  /** Says `input`, then !ping; returns crier's answers in between (everything up to the pong). */
  const ircRun = async (who: RawIrcClient, target: string, input: string) => {
    const from = who.lines.length;
    who.say(target, input);
    who.say(target, "!ping");
    const mine = () => who.lines.slice(from).filter((l) => /^(@\S+ )?:crier_?!\S+ NOTICE /.test(l));
    await waitUntil(`pong on IRC after ${input}`, () => mine().some((l) => l.endsWith(" :pong")));
    return mine().join("\n");
  };
  const matrixRun = async (who: MatrixTestUser, input: string) => {
    const sent = await who.sendText(net.room, input);
    await who.sendText(net.room, "!ping");
    let answers: string[] = [];
    await waitUntil(`pong on Matrix after ${input}`, async () => {
      const all = await who.messages(net.room, 100);
      const after = all.slice(all.findIndex((e) => e.event_id === sent) + 1);
      const pong = after.findIndex((e) => e.sender === net.bot.userId && e.content.body === "pong");
      answers = after
        .slice(0, pong)
        .filter((e) => e.sender === net.bot.userId && e.content.msgtype === "m.notice")
        .map((e) => String(e.content.body));
      return pong >= 0;
    });
    return answers.join("\n");
  };
  const discordRun = async (who: ReturnType<typeof net.discord.world.addUser>, input: string) => {
    const from = net.discord.world.messages.get(net.channelId)!.length;
    net.discord.post(net.channelId, who, input);
    net.discord.post(net.channelId, who, "!ping");
    const mine = () =>
      net.discord.world.messages
        .get(net.channelId)!
        .slice(from)
        .filter((m) => m.author.id === net.discord.world.bot.id && !m.webhook_id);
    await waitUntil(`pong on Discord after ${input}`, () => mine().some((m) => m.content === "pong"));
    return mine()
      .map((m) => m.content)
      .join("\n");
  };

  for (const cmd of restricted) {
    const p = cmd.prefix ?? "!";
    const input = cmd.examples[0]?.input ?? `${p}${cmd.name}`;
    const refusal = `only ${cmd.permission}s may use ${p}${cmd.name}`;

    it(`${p}${cmd.name} on IRC: refused to a non-operator, in the channel and in a private message; allowed to the operator`, async () => {
      const inChannel = await ircRun(nico, CHANNEL, input);
      assert.ok(inChannel.includes(refusal), inChannel);
      const inPrivate = await ircRun(nico, "crier", input);
      assert.ok(inPrivate.includes(refusal), inPrivate);
      const byOp = await ircRun(net.ivan, CHANNEL, input);
      assert.ok(!byOp.includes(refusal), byOp);
    });

    it(`${p}${cmd.name} on Matrix: refused below power level 50; allowed to a moderator`, async () => {
      const byUser = await matrixRun(norm, input);
      assert.ok(byUser.includes(refusal), byUser);
      const byMod = await matrixRun(net.mod, input);
      assert.ok(!byMod.includes(refusal) && byMod.length > 0, byMod);
    });

    it(`${p}${cmd.name} on Discord: refused without Manage Server; allowed to a moderator`, async () => {
      const byUser = await discordRun(net.dora, input);
      assert.ok(byUser.includes(refusal), byUser);
      const byMod = await discordRun(net.dmod, input);
      assert.ok(!byMod.includes(refusal) && byMod !== "pong", byMod);
    });
  }
});
