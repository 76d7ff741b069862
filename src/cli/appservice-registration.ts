import { isAbsolute, join } from "node:path";
import type { Command } from "commander";
import { resolveStateDir } from "../app.js";
import { accountsOf, configOption, fail, readConfig } from "./common.js";

interface RegistrationOpts {
  config: string;
  url?: string;
  account?: string;
  stateDir?: string;
  newTokens?: boolean;
}

/**
 * `crier appservice-registration`: writes the registration file of a Matrix account in `mode: appservice` (the
 * path its config names, relative to the state directory), with tokens kept in the state directory.
 */
export function registerAppserviceRegistration(program: Command): void {
  program
    .command("appservice-registration")
    .description("write the Matrix application-service registration the homeserver loads (app_service_config_files)")
    .option(...configOption())
    .option("--url <url>", "the URL the homeserver reaches crier's appservice listener at (default from the config)")
    .option("--account <name>", "which Matrix account, when several are in appservice mode")
    .option("--state-dir <dir>", "where crier keeps its database and files (default ./data or $XDG_STATE_HOME/crier)")
    .option("--new-tokens", "make new as_token and hs_token (the homeserver must load the new file)")
    .action(async (opts: RegistrationOpts) => {
      try {
        const { buildRegistration, loadOrCreateTokens, writeRegistration } = await import(
          "../adapters/matrix/registration.js"
        );
        const config = readConfig(opts.config);
        const candidates = accountsOf(config, "matrix").filter(
          ([, a]) => (a as { mode?: string }).mode === "appservice",
        );
        const chosen = opts.account ? candidates.find(([name]) => name === opts.account) : candidates[0];
        if (!chosen)
          throw new Error(
            opts.account
              ? `${opts.account} is not a Matrix account with mode: appservice in ${opts.config}`
              : `no Matrix account with mode: appservice in ${opts.config}`,
          );
        if (!opts.account && candidates.length > 1)
          throw new Error(`several appservice accounts (${candidates.map(([n]) => n).join(", ")}): pass --account`);
        if (opts.url !== undefined && !/^https?:\/\/\S+$/.test(opts.url))
          throw new Error(`--url: "${opts.url}" is not an http(s) URL`);
        const [account, matrix] = chosen as [string, import("../adapters/matrix/config.js").MatrixConfig];
        const as = matrix.appservice!;
        const stateDir = resolveStateDir(opts.stateDir, config);
        const { tokens, created } = loadOrCreateTokens(stateDir, account, !!opts.newTokens);
        const file = isAbsolute(as.registration) ? as.registration : join(stateDir, as.registration);
        writeRegistration(file, buildRegistration(as, tokens, opts.url?.replace(/\/+$/, "")));
        process.stdout.write(
          `wrote ${file}${created ? " (new tokens)" : ""}: add it to the homeserver's app_service_config_files (Synapse: homeserver.yaml), restart the homeserver, then start crier\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
