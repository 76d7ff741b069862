import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { configOption, fail } from "./common.js";

/**
 * `crier healthcheck`: asks the running crier's /healthz on the port its config names (the Docker HEALTHCHECK, so the
 * check follows `http.port` instead of a number written into the image). Exit 0 when healthy.
 */
export function registerHealthcheck(program: Command): void {
  program
    .command("healthcheck")
    .description("exit 0 if the crier running with this config answers /healthz")
    .option(...configOption())
    .option("--timeout <ms>", "give up after this long", "5000")
    .action(async (opts: { config: string; timeout: string }) => {
      let url: string;
      try {
        // The check needs only the address: secrets may be absent where it runs.
        const { config } = loadConfig(opts.config, process.env, { requireEnv: false });
        if (!config.http.enabled) throw new Error(`${opts.config}: http.enabled is false, so there is no /healthz`);
        if (config.http.port === 0) throw new Error(`${opts.config}: http.port is 0 (any port): set a fixed port`);
        const host = ["0.0.0.0", "::", ""].includes(config.http.host) ? "127.0.0.1" : config.http.host;
        url = `http://${host.includes(":") ? `[${host}]` : host}:${config.http.port}/healthz`;
      } catch (err) {
        fail(err);
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(Number(opts.timeout) || 5000) });
        const body = (await res.text()).slice(0, 2000);
        process.stdout.write(`${url}: ${res.status} ${body.trim()}\n`);
        process.exit(res.ok ? 0 : 1);
      } catch (err) {
        process.stderr.write(`${url}: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
}
