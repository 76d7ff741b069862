/**
 * What crier asks of Discord, in one place: the gateway intents the client requests and the channel permissions its
 * calls need. `crier discord-invite` builds the invite URL from this list, the setup guide names the same ones, and a
 * test checks the list against the calls the adapter makes.
 */
import { GatewayIntentBits, PermissionFlagsBits } from "discord.js";

export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  /** Privileged: switch on "Message Content Intent" in the Developer Portal, or every message arrives empty. */
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
];

export type DiscordPermissionName = keyof typeof PermissionFlagsBits;

export const DISCORD_PERMISSIONS: ReadonlyArray<{ name: DiscordPermissionName; label: string; why: string }> = [
  { name: "ViewChannel", label: "View Channels", why: "see the linked channels and what is said in them" },
  { name: "SendMessages", label: "Send Messages", why: "answers, notices, and relays when webhooks are off" },
  {
    name: "ReadMessageHistory",
    label: "Read Message History",
    why: "catch up after a restart; edits, replies and reactions on earlier messages",
  },
  {
    name: "ManageWebhooks",
    label: "Manage Webhooks",
    why: "find or create the channel's relay webhook, so relayed messages show each sender's name",
  },
  {
    name: "ManageMessages",
    label: "Manage Messages",
    why: "delete a relayed copy (a webhook message) when its original is deleted elsewhere",
  },
  { name: "AddReactions", label: "Add Reactions", why: "mirror reactions made on the other networks" },
];

/** The permissions integer of the invite URL. */
export function permissionBits(names: readonly DiscordPermissionName[] = DISCORD_PERMISSIONS.map((p) => p.name)) {
  return names.reduce((bits, n) => bits | PermissionFlagsBits[n], 0n);
}

/**
 * The OAuth2 URL that adds the bot to a server with exactly these permissions (`bot` for the gateway, and
 * `applications.commands` for the slash commands). With a guild id the server is preselected.
 */
export function inviteUrl(clientId: string, guildId?: string): string {
  const params = new URLSearchParams({
    client_id: clientId,
    scope: "bot applications.commands",
    permissions: permissionBits().toString(),
  });
  if (guildId) {
    params.set("guild_id", guildId);
    params.set("disable_guild_select", "true");
  }
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}

/** A bot token starts with the bot's user id (= the application id), base64-encoded. */
export function clientIdFromToken(token: string): string | undefined {
  const first = token.split(".")[0];
  if (!first) return undefined;
  const id = Buffer.from(first, "base64").toString("utf8");
  return /^\d{15,22}$/.test(id) ? id : undefined;
}
