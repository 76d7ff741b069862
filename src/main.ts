/** Process entry: the crier command line. Each subcommand lives in src/cli/. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerAppserviceRegistration } from "./cli/appservice-registration.js";
import { registerBackup } from "./cli/backup.js";
import { registerCheckConfig } from "./cli/check-config.js";
import { registerDiscordInvite } from "./cli/discord-invite.js";
import { registerHealthcheck } from "./cli/healthcheck.js";
import { registerMigrateStore } from "./cli/migrate-store.js";
import { registerSchedule } from "./cli/schedule.js";
import { registerSchema } from "./cli/schema.js";
import { registerReload } from "./cli/reload.js";
import { registerRender } from "./cli/render.js";
import { registerStart } from "./cli/start.js";
import { registerTime } from "./cli/time.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command()
  .name("crier")
  .description("chat bridge and meeting bot for IRC, Matrix and Discord")
  .version(pkg.version, "-V, --version");

registerStart(program);
registerReload(program);
registerCheckConfig(program);
registerBackup(program);
registerMigrateStore(program);
registerSchema(program);
registerRender(program);
registerTime(program);
registerSchedule(program);
registerDiscordInvite(program);
registerAppserviceRegistration(program);
registerHealthcheck(program);

await program.parseAsync(process.argv);
