/**
 * The permissions matrix on each platform's real server, enumerated from the command registry: every command that
 * is not for anyone (by its first example) is run on IRC, Matrix and Discord by someone who may not, by each kind
 * of admin that platform has, and in a private message by someone who administers no room of it. Commands go
 * back to back and are answered in the order asked, so answer i belongs to command i. A new restricted command is
 * covered automatically; one without an example fails here.
 *
 * Admins per platform: IRC — the channel operator and a configured admin (crier's `admins`); Matrix — power level
 * ≥ 50 and a configured admin; Discord — Manage Server (the moderator role), a configured admin, and the same
 * commands as slash commands. Private messages: IRC answers in the query; on Matrix crier declines a non-admin's
 * invitation to a direct chat, so such a command is never seen; Discord commands are read in guild channels only
 * (crier does not subscribe to direct messages), so there is no private message to send.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildFeatures } from "../../src/features/index.js";

const features = buildFeatures().all;
import type { FakeUser } from "../fake-discord/state.js";
import type { RawIrcClient } from "../testbed/irc-client.js";
import { waitUntil } from "../testbed/ports.js";
import type { MatrixTestUser } from "../testbed/synapse-client.js";
import { CHANNEL, DISCORD, IRC, MATRIX, ThreeNetworks } from "./three/testbed.js";

const restricted = features.flatMap((f) => (f.commands ?? []).filter((c) => c.permission !== "anyone"));
const cases = restricted.map((c) => {
  const p = c.prefix ?? "!";
  return {
    name: `${p}${c.name}`,
    input: c.examples[0]?.input ?? `${p}${c.name}`,
    refusal: `only ${c.permission}s may use ${p}${c.name}`,
  };
});
const inputs = cases.map((c) => c.input);

/** Answer i is the refusal of command i. */
function allRefused(answers: string[]): void {
  assert.deepEqual(
    answers,
    cases.map((c) => c.refusal),
  );
}

/** Answer i is command i's own answer: one each, none a refusal or an error. */
function allAllowed(answers: string[]): void {
  assert.equal(answers.length, cases.length, answers.join("\n"));
  for (const [i, c] of cases.entries()) {
    assert.ok(!answers[i].includes(c.refusal), `${c.name} refused: ${answers[i]}`);
    assert.doesNotMatch(answers[i], /^only \w+s may use|something went wrong/, `${c.name}: ${answers[i]}`);
  }
}

describe("permissions matrix on IRC, Matrix and Discord (every restricted command)", () => {
  const extra: Record<string, unknown> = {};
  // Answers stay in the asker's room: a mirrored answer from one platform's run would land in the next one's.
  const net = new ThreeNetworks({ extra, answersEverywhere: false });
  let nico: RawIrcClient;
  let ira: RawIrcClient;
  let norm: MatrixTestUser;
  let cfgMx: MatrixTestUser;
  let cfgDc: FakeUser;
  before(async () => {
    await net.start(); // ivan created #devel, so he is its operator
    cfgMx = await net.synapse.register("cfgmx");
    cfgDc = net.discord.world.addUser("cfgdc");
    extra.admins = [`${IRC}:ira`, `${MATRIX}:${cfgMx.userId}`, `${DISCORD}:${cfgDc.id}`];
    await net.startApp();
    nico = await net.ircPerson("nico");
    ira = await net.ircPerson("ira");
    norm = await net.synapse.register("norm");
    await norm.join(net.room);
    await cfgMx.join(net.room);
  });
  after(async () => {
    nico?.close();
    ira?.close();
    await net.stop();
  });

  it("has restricted commands to check, each with an example", () => {
    assert.ok(restricted.length >= 3);
    for (const c of restricted) assert.ok(c.examples.length, `${c.prefix ?? "!"}${c.name} declares an example`);
  });

  /**
   * Says every command to `target`, each followed by !ping; returns crier's answer to each, in order. IRC shows a
   * multi-line answer as several NOTICEs, so the pongs mark where one answer ends.
   */
  const ircRun = async (who: RawIrcClient, target: string) => {
    const from = who.lines.length;
    for (const input of inputs) {
      who.say(target, input);
      who.say(target, "!ping");
    }
    const to = target.startsWith("#") ? target : who.nick;
    const mine = () =>
      who.lines
        .slice(from)
        .filter((l) => new RegExp(`^(@\\S+ )?:crier!\\S+ NOTICE ${to.replace("#", "\\#")} :`).test(l))
        .map((l) => l.replace(/^(@\S+ )?:\S+ NOTICE \S+ :/, ""));
    const pongs = () => mine().filter((l) => l === "pong").length;
    await waitUntil(`${inputs.length} pongs on IRC to ${who.nick}`, () => pongs() >= inputs.length);
    const answers: string[][] = [[]];
    for (const line of mine()) {
      if (line === "pong") answers.push([]);
      else answers[answers.length - 1].push(line);
    }
    return answers.slice(0, inputs.length).map((lines) => lines.join("\n"));
  };
  const matrixRun = async (who: MatrixTestUser) => {
    const first = await who.sendText(net.room, inputs[0]);
    for (const input of [...inputs.slice(1), "!ping"]) await who.sendText(net.room, input);
    let answers: string[] = [];
    await waitUntil(`pong on Matrix to ${who.userId}`, async () => {
      const all = await who.messages(net.room, 100);
      const notices = all
        .slice(all.findIndex((e) => e.event_id === first) + 1)
        .filter((e) => e.sender === net.bot.userId && e.content.msgtype === "m.notice")
        .map((e) => String(e.content.body));
      answers = notices.slice(0, notices.indexOf("pong"));
      return notices.includes("pong");
    });
    return answers;
  };
  const discordRun = async (who: FakeUser) => {
    const from = net.discord.world.messages.get(net.channelId)!.length;
    for (const input of [...inputs, "!ping"]) net.discord.post(net.channelId, who, input);
    const mine = () =>
      net.discord.world.messages
        .get(net.channelId)!
        .slice(from)
        .filter((m) => m.author.id === net.discord.world.bot.id && !m.webhook_id)
        .map((m) => m.content);
    await waitUntil(`pong on Discord to ${who.username}`, () => mine().includes("pong"));
    return mine().slice(0, mine().indexOf("pong"));
  };
  const slashRun = async (who: FakeUser) => {
    const answers: string[] = [];
    for (const input of inputs) {
      const [name, ...args] = input.replace(/^[!#]/, "").split(" ");
      const replies = await net.discord.interact(net.channelId, who, name, [{ name: "args", value: args.join(" ") }]);
      answers.push(String(replies.find((r) => r.type !== 5)?.data?.content ?? ""));
    }
    return answers;
  };

  it("IRC: refused to a non-operator in the channel and in a private message; allowed to the operator and a configured admin", async () => {
    allRefused(await ircRun(nico, CHANNEL));
    allRefused(await ircRun(nico, "crier"));
    allAllowed(await ircRun(net.ivan, CHANNEL));
    allAllowed(await ircRun(ira, CHANNEL));
    allAllowed(await ircRun(ira, "crier"));
  });

  it("Matrix: refused below power level 50; allowed to a moderator and a configured admin; a direct chat from a non-admin is declined", async () => {
    allRefused(await matrixRun(norm));
    allAllowed(await matrixRun(net.mod));
    allAllowed(await matrixRun(cfgMx));
    const dm = await norm.createRoom({ invite: [net.bot.userId] });
    await waitUntil(
      "crier declines the invitation",
      async () => (await norm.membership(dm, net.bot.userId)) === "leave",
    );
    for (const input of inputs) await norm.sendText(dm, input);
    assert.deepEqual(
      (await norm.messages(dm, 100)).filter((e) => e.sender === net.bot.userId && e.type === "m.room.message"),
      [],
    );
  });

  it("Discord: refused without Manage Server, as text and as slash commands; allowed to a moderator and a configured admin", async () => {
    allRefused(await discordRun(net.dora));
    allRefused(await slashRun(net.dora));
    allAllowed(await discordRun(net.dmod));
    allAllowed(await slashRun(net.dmod));
    allAllowed(await discordRun(cfgDc));
  });
});
