/**
 * A Discord send waiting in discord.js's rate-limit queue goes out only if this instance may still act when the
 * request leaves: a process paused in that wait past a takeover must not post a second copy afterwards.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DiscordAdapter } from "../../../src/adapters/discord/adapter.js";
import { discordConfigSchema } from "../../../src/adapters/discord/config.js";
import type { OutgoingMessage } from "../../../src/core/adapter.js";
import { createLogger } from "../../../src/core/log.js";
import { fromPlain } from "../../../src/core/richtext.js";
import { SystemClock } from "../../../src/services/clock.js";
import { Metrics } from "../../../src/services/metrics.js";
import { SqliteStore } from "../../../src/store/sqlite.js";
import { FakeDiscord } from "../../fake-discord/index.js";
import { waitUntil } from "../../testbed/ports.js";

describe("Discord sends are fenced at the moment they leave", () => {
  const fake = new FakeDiscord();
  let channel: string;
  let adapter: DiscordAdapter;
  let active = true;
  const message = (text: string): OutgoingMessage => ({
    kind: "relay",
    idempotencyKey: `fence-${text}`,
    room: channel,
    body: fromPlain(text),
    sender: { name: "bob" },
  });

  before(async () => {
    await fake.start();
    channel = fake.world.addChannel("devel");
    const config = discordConfigSchema.parse({
      token: fake.token,
      api: fake.api,
      guild: fake.world.guildId,
      channels: [channel],
      slashCommands: false,
    });
    adapter = new DiscordAdapter("discord.test", config, {
      log: createLogger({ level: process.env.CRIER_TEST_LOG ?? "silent" }),
      store: new SqliteStore(join(mkdtempSync(join(tmpdir(), "crier-discord-fence-")), "crier.db")),
      clock: new SystemClock(),
      admins: [],
      commands: [],
      metrics: new Metrics(),
      mayAct: () => active,
    });
    await adapter.start(() => undefined);
    await waitUntil("discord connected", () => adapter.state() === "connected");
  });
  after(async () => {
    await adapter?.stop();
    await fake.stop();
  });

  it("sends while the instance may act", async () => {
    await adapter.send(message("while active"));
    assert.ok(fake.sentBy(channel).some((m) => m.content === "while active"));
  });

  it("drops a send that was waiting out a 429 when the instance lost its lease meanwhile", async () => {
    const posts = () => fake.rest.requests.filter((r) => r.method === "POST" && r.path.startsWith("/webhooks/"));
    const before = posts().length;
    fake.rest.faults.rateLimited = 1;
    const outcome = adapter.send(message("after the takeover")).then(
      () => "sent",
      (err: Error) => err.name,
    );
    await waitUntil("the first attempt answered 429", () => posts().length > before);
    active = false;
    assert.equal(await outcome, "FencedError");
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(posts().length, before + 1, "no attempt after the 429 left");
    assert.ok(!fake.sentBy(channel).some((m) => m.content === "after the takeover"));
    active = true;
  });
});
