/**
 * What was said on Discord while crier was stopped is relayed once after it starts again; nothing older is, and
 * nothing crier itself posted.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FakeDiscord } from "../../fake-discord/index.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { waitUntil } from "../../testbed/ports.js";

describe("Discord back-fill across a crier restart", () => {
  const fake = new FakeDiscord();
  /** A console room linked to one Discord channel (`discord` adds to the Discord account's settings). */
  const config = (channel: string, discord: Record<string, unknown> = {}) => ({
    accounts: {
      console: { user: "op", rooms: ["a"] },
      "discord.test": { token: fake.token, api: fake.api, guild: fake.world.guildId, channels: [channel], ...discord },
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
  });
  const stateDir = mkdtempSync(join(tmpdir(), "crier-discord-restart-"));
  let t: TestApp | undefined;
  after(async () => {
    await t?.close();
    await fake.stop();
  });

  it("relays the messages from the downtime exactly once, in order, and no history from before the first start", async () => {
    await fake.start();
    const channel = fake.world.addChannel("devel");
    const alice = fake.world.addUser("alice");
    fake.post(channel, alice, "said before crier ever ran");
    const start = async () => {
      t = await makeTestApp(config(channel), { stateDir });
      await waitUntil("discord connected", () => t!.app.ctx.adapters.get("discord.test")!.state() === "connected");
    };
    await start();
    fake.post(channel, alice, "while running");
    await t!.console.waitFor((s) => s.text === "while running");
    await t!.say("relayed into Discord by crier", { room: "a", user: "bob" });
    await waitUntil("crier's webhook copy", () =>
      fake.sentBy(channel).some((m) => m.content === "relayed into Discord by crier"),
    );
    await t!.close();
    for (let i = 0; i < 150; i++) fake.post(channel, alice, `while stopped ${i}`);
    await start();
    await waitUntil(
      "all 150 relayed",
      () => t!.console.sent.filter((s) => s.text.startsWith("while stopped")).length >= 150,
    );
    await new Promise((r) => setTimeout(r, 500));
    const texts = t!.console.sent.map((s) => s.text);
    const gap = texts.filter((x) => x.startsWith("while stopped"));
    assert.deepEqual(
      gap,
      Array.from({ length: 150 }, (_, i) => `while stopped ${i}`),
    );
    assert.ok(!texts.includes("while running"), "a message relayed before the restart is not relayed again");
    assert.ok(!texts.includes("said before crier ever ran"));
    // Its own webhook's messages in the history are crier's, not someone's on Discord: they must not come back.
    assert.ok(!t!.console.sent.some((s) => s.text.includes("relayed into Discord by crier")), texts.join(" | "));
  });

  it("pages through a gap of more than ten pages (1,100 messages) to its end", async () => {
    const channel = [...fake.world.channels.keys()][0];
    assert.ok(channel);
    const alice = [...fake.world.users.values()].find((u) => u.username === "alice")!;
    await t!.close();
    for (let i = 0; i < 1100; i++) fake.post(channel, alice, `long gap ${i}`);
    t = await makeTestApp(config(channel), { stateDir });
    await waitUntil(
      "all 1,100 relayed",
      () => t!.console.sent.filter((s) => s.text.startsWith("long gap")).length >= 1100,
      120_000,
    );
    const gap = t!.console.sent.map((s) => s.text).filter((x) => x.startsWith("long gap"));
    assert.deepEqual(
      gap,
      Array.from({ length: 1100 }, (_, i) => `long gap ${i}`),
    );
  });

  it("a gap the back-fill cannot read in its time limit is told to the link once, with its span", async () => {
    const channel = [...fake.world.channels.keys()][0];
    const alice = [...fake.world.users.values()].find((u) => u.username === "alice")!;
    await t!.close();
    for (let i = 0; i < 5; i++) fake.post(channel, alice, `unreadable ${i}`);
    t = await makeTestApp(config(channel, { backfillLimit: "0s" }), { stateDir });
    const notice = await t!.console.waitFor((s) => /could not be recovered/.test(s.text));
    assert.match(
      notice.text,
      /^some messages said on Discord in #devel between \d\d:\d\d and \d\d:\d\d UTC \(\d{4}-\d\d-\d\d\) could not be recovered$/,
    );
    fake.post(channel, alice, "live after the gap");
    await t!.console.waitFor((s) => s.text === "live after the gap");
    const texts = t!.console.sent.map((s) => s.text);
    assert.ok(!texts.some((x) => x.startsWith("unreadable")), "nothing of the unread gap was relayed");
    assert.equal(texts.filter((x) => /could not be recovered/.test(x)).length, 1, "said once");
  });
});
