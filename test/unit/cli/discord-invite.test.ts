/**
 * The invite URL `crier discord-invite` prints names exactly the permissions the Discord adapter's calls need: each
 * discord.js call the adapter makes is mapped to the permission Discord checks for it, and the set found in the code
 * must equal the set in the URL (a new call without its permission, or a permission nothing uses, fails).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PermissionFlagsBits } from "discord.js";
import {
  clientIdFromToken,
  DISCORD_INTENTS,
  DISCORD_PERMISSIONS,
  type DiscordPermissionName,
} from "../../../src/adapters/discord/permissions.js";

/** discord.js calls → the permission Discord requires of the bot for them (Discord's API reference, per endpoint). */
const CALL_PERMISSIONS: Array<{ call: RegExp; needs: DiscordPermissionName[] }> = [
  { call: /channel\.send\(/, needs: ["SendMessages"] },
  { call: /\.messages\.fetch\(/, needs: ["ReadMessageHistory"] },
  { call: /\.fetchWebhooks\(/, needs: ["ManageWebhooks"] },
  { call: /\.createWebhook\(/, needs: ["ManageWebhooks"] },
  // Deleting a message crier did not author as the bot (a webhook message) needs Manage Messages.
  { call: /\.messages\.delete\(/, needs: ["ManageMessages"] },
  { call: /\.react\(/, needs: ["AddReactions"] },
];
/**
 * Calls that need nothing beyond View Channels: webhook-token and interaction-token calls, editing crier's own
 * messages, channel and member lookups, registering slash commands (the applications.commands scope).
 */
const FREE_CALLS = [
  /hook\.(send|editMessage)\($/,
  /^m\.edit\($/,
  /channels\.fetch\($/,
  /guild\.members\.fetch\($/,
  /commands\.set\($/,
  /^cmd\.(deferReply|editReply|followUp|reply)\($/,
];
/** Receivers that are crier's own Maps and Sets, not Discord objects. */
const OWN_COLLECTIONS = /^(this\.(held|seen|since|dirty|webhooks|byChannel|ownIds|privateCommands|tracker)|params)\./;
const DISCORD_DIR = "src/adapters/discord";

function adapterSource(): string {
  return readdirSync(DISCORD_DIR)
    .filter((f) => f.endsWith(".ts") && f !== "permissions.ts")
    .map((f) => readFileSync(join(DISCORD_DIR, f), "utf8"))
    .join("\n");
}

function printedUrl(args: string[]): { url: URL; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/crier.js", "discord-invite", ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { url: new URL(r.stdout.trim()), stderr: r.stderr };
}

describe("crier discord-invite", () => {
  it("asks for exactly the permissions the adapter's calls use (plus View Channels)", () => {
    const src = adapterSource();
    const used = new Set<DiscordPermissionName>(["ViewChannel"]);
    for (const { call, needs } of CALL_PERMISSIONS) if (call.test(src)) for (const n of needs) used.add(n);
    const { url, stderr } = printedUrl(["--client-id", "123456789012345678"]);
    const bits = BigInt(url.searchParams.get("permissions") ?? "-1");
    const granted = (Object.keys(PermissionFlagsBits) as DiscordPermissionName[]).filter(
      (n) => (bits & PermissionFlagsBits[n]) !== 0n,
    );
    assert.deepEqual(granted.sort(), [...used].sort());
    assert.deepEqual(DISCORD_PERMISSIONS.map((p) => p.name).sort(), [...used].sort());
    assert.equal(url.searchParams.get("scope"), "bot applications.commands");
    assert.equal(url.searchParams.get("client_id"), "123456789012345678");
    for (const p of DISCORD_PERMISSIONS) assert.ok(stderr.includes(p.label), `${p.label} is named`);
  });

  it("every discord.js call in the adapter is accounted for (none slips past the map above)", () => {
    const methods =
      "send|fetch|delete|edit|react|createWebhook|fetchWebhooks|editMessage|deleteMessage|set|create|pin|bulkDelete|reply|followUp|deferReply|editReply|crosspost|setTopic|setName";
    const re = new RegExp(`\\b[A-Za-z_]+(?:\\??\\.[A-Za-z_]+)*\\??\\.(?:${methods})\\(`, "g");
    const calls = [...adapterSource().matchAll(re)].map((m) => m[0]).filter((c) => !OWN_COLLECTIONS.test(c));
    assert.ok(calls.length >= 10, `found the adapter's calls: ${calls.join(" ")}`);
    for (const c of calls) {
      const known = CALL_PERMISSIONS.some((p) => p.call.test(c)) || FREE_CALLS.some((f) => f.test(c));
      assert.ok(known, `unmapped Discord call ${c}: add the permission it needs to permissions.ts and this test`);
    }
  });

  it("the client uses the intents the setup guide names, and the guide names every permission", () => {
    const guide = readFileSync("docs/setup-discord.md", "utf8");
    assert.ok(DISCORD_INTENTS.length === 4);
    assert.match(readFileSync(join(DISCORD_DIR, "adapter.ts"), "utf8"), /intents: DISCORD_INTENTS/);
    assert.match(guide, /Message Content Intent/);
    for (const p of DISCORD_PERMISSIONS) assert.ok(guide.includes(p.label), `docs/setup-discord.md names ${p.label}`);
    assert.match(guide, /crier discord-invite --config/);
  });

  it("reads the application id from the config's bot token and preselects the configured guild", () => {
    const token = `${Buffer.from("223456789012345678").toString("base64")}.GhIjKl.secretpart`;
    assert.equal(clientIdFromToken(token), "223456789012345678");
    assert.equal(clientIdFromToken("not-a-token"), undefined);
    const r = spawnSync(process.execPath, ["bin/crier.js", "discord-invite", "--config", "config/kamailio.yaml"], {
      encoding: "utf8",
      env: { ...process.env, DISCORD_TOKEN: token, IRC_PASSWORD: "x", MATRIX_TOKEN: "y", GITHUB_TOKEN: "z" },
    });
    assert.equal(r.status, 0, r.stderr);
    const url = new URL(r.stdout.trim());
    assert.equal(url.searchParams.get("client_id"), "223456789012345678");
    assert.equal(url.searchParams.get("guild_id"), "123456789012345678");
    assert.ok(!r.stdout.includes("secretpart") && !r.stderr.includes("secretpart"), "the token is never printed");
  });
});
