/** The Discord adapter: unmodified discord.js against the fake Discord, relaying with a console room. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeDiscord } from "../../fake-discord/index.js";
import type { FakeUser } from "../../fake-discord/state.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { waitUntil } from "../../testbed/ports.js";

describe("Discord adapter against the fake Discord", () => {
  const fake = new FakeDiscord();
  let t: TestApp;
  let channel: string;
  let alice: FakeUser;
  let mod: FakeUser;
  let readyMs = 0;

  before(async () => {
    await fake.start();
    channel = fake.world.addChannel("devel");
    alice = fake.world.addUser("alice");
    mod = fake.world.addUser("moderator", { mod: true });
    const t0 = Date.now();
    t = await makeTestApp({
      accounts: {
        console: { user: "op", rooms: ["a"] },
        "discord.test": { token: fake.token, api: fake.api, guild: fake.world.guildId, channels: [channel] },
      },
      links: [
        {
          name: "devel",
          rooms: [
            { account: "console", room: "a" },
            { account: "discord.test", room: channel },
          ],
        },
      ],
      commands: { perUserPerMinute: 1000, perRoomPerMinute: 1000 },
    });
    readyMs = Date.now() - t0;
    await waitUntil("discord connected", () => t.app.ctx.adapters.get("discord.test")!.state() === "connected");
  });
  after(async () => {
    await t?.close();
    await fake.stop();
  });

  it("connects, sees a person's message, and relays into Discord through a webhook under the sender's name", async () => {
    console.log(`discord: crier started and connected in ${readyMs} ms`);
    fake.post(channel, alice, "hello from **Discord**");
    const got = await t.console.waitFor((s) => s.text === "hello from Discord");
    assert.equal(got.msg.sender?.name, "alice");
    await t.say("hello from the console", { room: "a", user: "bob" });
    await waitUntil("relayed", () => fake.sentBy(channel).some((m) => m.content === "hello from the console"));
    const m = fake.sentBy(channel).find((x) => x.content === "hello from the console")!;
    assert.ok(m.webhook_id, "sent through a webhook");
    assert.equal(m.author.username, "bob");
  });

  it("pings nobody with @everyone, @here, role mentions or disguised variants", async () => {
    const role = fake.world.modRole.id;
    await t.say(`@everyone @here <@&${role}> @every\u200bone ＠everyone <@${alice.id}> ping`, {
      room: "a",
      user: "mallory",
    });
    await waitUntil("relayed", () => fake.sentBy(channel).some((m) => m.content.endsWith("ping")));
    const m = fake.sentBy(channel).find((x) => x.content.endsWith("ping"))!;
    assert.equal(m.mention_everyone, false);
    assert.deepEqual(m.mentions, []);
    assert.deepEqual(m.mention_roles, []);
  });

  it("adjusts sender names Discord would reject instead of dropping the message", async () => {
    await t.say("from a forbidden name", { room: "a", user: "Discord Clyde" });
    await t.say("from a long name", { room: "a", user: "x".repeat(100) });
    await waitUntil(
      "both relayed",
      () => fake.sentBy(channel).filter((m) => /from a (forbidden|long) name/.test(m.content)).length === 2,
    );
    const names = fake
      .sentBy(channel)
      .filter((m) => /from a (forbidden|long) name/.test(m.content))
      .map((m) => m.author.username);
    assert.ok(names[0] !== "Discord Clyde" && /^D\u200biscord C\u200blyde$/.test(names[0]), names[0]);
    assert.equal([...names[1]].length, 80);
  });

  it("mirrors edits and deletes of relayed messages, and carries replies", async () => {
    const e = await t.say("typo", { room: "a", user: "bob" });
    await waitUntil("relayed", () => fake.sentBy(channel).some((m) => m.content === "typo"));
    await t.app.dispatcher.handle({
      kind: "edit",
      id: "e1",
      room: e.room,
      sender: e.sender,
      targetId: e.id,
      body: [{ t: "text", text: "fixed" }],
      at: new Date(),
    });
    await waitUntil("edited", () => fake.sentBy(channel).some((m) => m.content === "fixed"));
    await t.app.dispatcher.handle({ kind: "delete", room: e.room, sender: e.sender, targetId: e.id, at: new Date() });
    await waitUntil("deleted", () => !fake.sentBy(channel).some((m) => m.content === "fixed"));
    const original = fake.post(channel, alice, "question from discord");
    await t.console.waitFor((s) => s.text === "question from discord");
    fake.post(channel, mod, "a reply", {
      message_reference: { message_id: original.id, channel_id: channel, guild_id: fake.world.guildId },
    });
    const r = await t.console.waitFor((s) => s.text === "a reply");
    const target = t.console.sent.find((s) => s.text === "question from discord")!;
    assert.equal(r.msg.replyToNativeId, target.nativeId);
  });

  it("relays 200 messages once and in order through 3 resumes, an invalid session and 429 bursts; backfills the gap", async () => {
    const before = fake.sentBy(channel).length;
    // Each fault is let to take effect before the next, as they would arrive minutes apart in life.
    const faults = async (i: number) => {
      const r = fake.gateway.resumes;
      if (i === 30 || i === 90) fake.gateway.forceReconnect();
      if (i === 60) fake.gateway.dropSocket();
      if ([30, 60, 90].includes(i)) await waitUntil("resumed", () => fake.gateway.resumes > r, 15_000);
      if (i === 20 || i === 120) fake.rest.faults.rateLimited = 5;
      if (i === 150) {
        const ids = fake.gateway.identifies;
        fake.gateway.invalidSession();
        fake.post(channel, alice, "said during the invalid session");
        await waitUntil("identified again", () => fake.gateway.identifies > ids, 15_000);
      }
    };
    for (let i = 0; i < 200; i++) {
      await faults(i);
      await t.say(`fault run ${i}`, { room: "a", user: "bob" });
    }
    // A backlog may go out combined (one Discord message, one line per relayed message): count lines.
    const relayedLines = () =>
      fake
        .sentBy(channel)
        .slice(before)
        .flatMap((m) => m.content.split("\n"))
        .filter((c) => c.startsWith("fault run"));
    await waitUntil("200 relayed", () => relayedLines().length >= 200, 60_000);
    const got = relayedLines();
    assert.deepEqual(
      got,
      Array.from({ length: 200 }, (_, i) => `fault run ${i}`),
    );
    await t.console.waitFor((s) => s.text === "said during the invalid session", 20_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(t.console.sent.filter((s) => s.text === "said during the invalid session").length, 1);
    console.log(`discord fault run: ${fake.gateway.resumes} resumes, ${fake.gateway.identifies} identifies`);
    assert.ok(fake.gateway.resumes >= 3);
  });

  it("answers /time, /tz set with zone autocomplete, and /remind through interactions", async () => {
    assert.ok(
      fake.world.commands.some((c) => c.name === "tz"),
      "slash commands registered",
    );
    const time = await fake.interact(channel, alice, "time", [
      { name: "args", value: "2015-02-11 15:00 UTC in Berlin, New York" },
    ]);
    assert.match(JSON.stringify(time), /16:00 Berlin \(CET\) · 10:00 New York \(EST\)/);
    const ac = await fake.interact(channel, alice, "tz", [{ name: "args", value: "set Berl", focused: true }], true);
    assert.equal(ac[0].type, 8);
    assert.ok(JSON.stringify(ac[0].data).includes("set Europe/Berlin"));
    const tz = await fake.interact(channel, alice, "tz", [{ name: "args", value: "set Europe/Berlin" }]);
    assert.match(JSON.stringify(tz), /your zone is now Europe\/Berlin/);
    assert.equal(tz[0].type, 5, "deferred");
    assert.equal((tz[0].data as { flags?: number } | undefined)?.flags, 64, "ephemeral: only the asker sees it");
    const remind = await fake.interact(channel, alice, "remind", [{ name: "args", value: "me in 2h check the build" }]);
    assert.match(JSON.stringify(remind), /ok, .*in 2 hours.*check the build/);
  });

  it("lets members with Manage Server run admin commands, and no one else", async () => {
    const admin = await fake.interact(channel, mod, "outbox", [{ name: "args", value: "" }]);
    assert.ok(!JSON.stringify(admin).includes("only admins"));
    const stranger = await fake.interact(channel, alice, "outbox", [{ name: "args", value: "" }]);
    assert.match(JSON.stringify(stranger), /only admins may use !outbox/);
  });
});
