/**
 * adversarial.md, "Mentions and pings", through crier against InspIRCd, Synapse and the fake Discord (which computes
 * `mentions`, `mention_roles` and `mention_everyone` the way Discord does). The rule proven on every network: nothing
 * relayed pings anyone except a translated, explicit mention of a linked person; mass mentions never.
 *
 * Also proven elsewhere: the Discord adapter alone against disguised mass mentions (test/adapters/discord), the
 * Matrix renderer's room-ping neutralisation (test/adapters/matrix/html.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FakeUser } from "../../fake-discord/state.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { CHANNEL, DISCORD, MATRIX } from "../three/testbed.js";
import { HostileNetworks, matrixSafe, pingsNobody } from "./wire.js";

describe("adversarial: mentions and pings", () => {
  const net = new HostileNetworks({});
  let norm: MatrixTestUser;
  let maraOnDiscord: FakeUser;
  before(async () => {
    await net.start();
    await net.startApp();
    norm = await net.synapse.register("norm");
    await norm.join(net.room);
    maraOnDiscord = net.discord.world.addUser("mara_d");
    await net.app!.app.ctx.identity.link(`${MATRIX}:${net.mara.userId}`, `${DISCORD}:${maraOnDiscord.id}`);
  });
  after(() => net.stop());

  /** The Discord copy pings nobody but `allowed`, and its text holds no live mass or raw mention either. */
  const discordHarmless = (m: Parameters<typeof pingsNobody>[0] & { content: string }, allowed: string[] = []) => {
    pingsNobody(m, allowed);
    assert.doesNotMatch(m.content, /[@＠](everyone|here)/i, m.content);
    const raw = [...m.content.matchAll(/<@[!&]?(\d+)>/g)].map((x) => x[1]);
    assert.deepEqual(raw, allowed, m.content);
  };
  /** The Matrix copy pings nobody but `allowed` (no room ping in m.mentions or the body). */
  const matrixHarmless = (content: Record<string, unknown>, allowed: string[] = []) => {
    matrixSafe(content);
    const ids = (content["m.mentions"] as { user_ids?: string[] }).user_ids ?? [];
    assert.deepEqual(ids, allowed);
  };
  /** Says `text` on each network, tagged `id-irc`, `id-mx`, `id-dc`; checks every copy on the other two. */
  const fromEverywhere = async (id: string, text: string) => {
    const mark = net.ircMark();
    net.ivan.say(CHANNEL, `${text} ${id}-irc`);
    await net.mara.sendText(net.room, `${text} ${id}-mx`);
    net.discord.post(net.channelId, net.dora, `${text} ${id}-dc`);
    for (const src of ["irc", "mx"]) discordHarmless(await net.waitDiscord((m) => m.content.endsWith(`${id}-${src}`)));
    for (const src of ["irc", "dc"])
      matrixHarmless((await net.waitMatrix((e) => String(e.content.body).endsWith(`${id}-${src}`))).content);
    for (const src of ["mx", "dc"]) await net.waitIrc((t) => t.endsWith(`${id}-${src}`));
    net.ircSaid(mark);
  };

  it("@everyone, @here and @room from each network ping no one on the others", async () => {
    await fromEverywhere("m1", "@everyone @here @room @Room look");
  });

  it("<@id>, <@!id> and <@&roleid> ping no one: typed on IRC or Matrix, or a Discord mention of someone not linked", async () => {
    const { dmod } = net;
    const role = net.discord.world.modRole.id;
    await fromEverywhere("m2", `<@${dmod.id}> <@!${dmod.id}> <@&${role}> look`);
  });

  it("the same hidden with zero-width spaces (U+200B, U+2060), full-width ＠, or split by formatting pings no one", async () => {
    await fromEverywhere(
      "m3",
      "@\u200beveryone @\u2060here @\u200broom ＠everyone ＠here ＠room @**every**one @*room*",
    );
    await net.mara.sendHtml(net.room, "x", "@<b>room</b> @<i></i>everyone @<!-- -->here m4-mx");
    discordHarmless(await net.waitDiscord((m) => m.content.endsWith("m4-mx")));
    net.ivan.say(CHANNEL, "@\x02room\x02 @\x03\x03everyone @\x0fhere m4-irc");
    matrixHarmless((await net.waitMatrix((e) => String(e.content.body).endsWith("m4-irc"))).content);
    discordHarmless(await net.waitDiscord((m) => m.content.endsWith("m4-irc")));
  });

  it("a translated, explicit mention of a linked person pings that person only; mass mentions beside it never", async () => {
    net.discord.post(net.channelId, net.dora, `hey <@${maraOnDiscord.id}> and @everyone @room m5-dc`);
    const m = await net.waitMatrix((e) => String(e.content.body).endsWith("m5-dc"));
    matrixHarmless(m.content, [net.mara.userId]);
    await net.mara.sendHtml(
      net.room,
      "x",
      `hey <a href="https://matrix.to/#/${net.mara.userId}">mara</a> and @everyone @here m6-mx`,
    );
    discordHarmless(await net.waitDiscord((x) => x.content.endsWith("m6-mx")), [maraOnDiscord.id]);
    // Someone who is not linked is named, not pinged.
    net.discord.post(net.channelId, net.dora, `hey <@${net.dmod.id}> m7-dc`);
    const m7 = await net.waitMatrix((e) => String(e.content.body).endsWith("m7-dc"));
    matrixHarmless(m7.content);
    assert.match(String(m7.content.body), /hey dmod m7-dc$/);
  });

  it("Matrix m.mentions {room: true} from a user without the power to notify the room pings no one elsewhere", async () => {
    for (const [who, id] of [
      [norm, "m8-norm"],
      [net.mod, "m8-mod"],
    ] as const) {
      await who.sendText(net.room, `@room wake up ${id}`, { "m.mentions": { room: true } });
      discordHarmless(await net.waitDiscord((m) => m.content.endsWith(id)));
      await net.waitIrc((t) => t.endsWith(id));
    }
  });
});
