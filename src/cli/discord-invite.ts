import type { Command } from "commander";
import { accountsOf, fail, readConfig } from "./common.js";

interface InviteOpts {
  config: string;
  clientId?: string;
  guild?: string;
}

/** `crier discord-invite`: the URL that adds crier's bot to a server with exactly the permissions it uses. */
export function registerDiscordInvite(program: Command): void {
  program
    .command("discord-invite")
    .description("print the URL that adds the Discord bot to a server, with the permissions crier needs")
    .option("-c, --config <file>", "config file (its Discord account's token gives the application id)")
    .option("--client-id <id>", "the application id (Developer Portal → General Information), instead of a token")
    .option("--guild <id>", "preselect this server")
    .action(async (opts: InviteOpts) => {
      try {
        const { DISCORD_PERMISSIONS, clientIdFromToken, inviteUrl } = await import(
          "../adapters/discord/permissions.js"
        );
        let clientId = opts.clientId;
        let guild = opts.guild;
        if (!clientId) {
          const [discord] = accountsOf(readConfig(opts.config), "discord");
          if (!discord) throw new Error("no discord account in the config: pass --client-id <application id>");
          const account = discord[1] as { token: string; guild?: string };
          clientId = clientIdFromToken(account.token);
          if (!clientId) throw new Error(`${discord[0]}.token is not a bot token: pass --client-id <application id>`);
          guild ??= account.guild;
        }
        if (!/^\d{15,22}$/.test(clientId)) throw new Error(`--client-id: "${clientId}" is not a numeric id`);
        if (guild !== undefined && !/^\d{15,22}$/.test(guild))
          throw new Error(`--guild: "${guild}" is not a numeric id`);
        process.stdout.write(`${inviteUrl(clientId, guild)}\n`);
        process.stderr.write(
          `permissions: ${DISCORD_PERMISSIONS.map((p) => p.label).join(", ")}; scopes: bot, applications.commands\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
