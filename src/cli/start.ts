import type { Command } from "commander";
import { App, resolveStateDir } from "../app.js";
import { loadConfig } from "../config/load.js";
import { createLogger } from "../core/log.js";
import { banner, webUrlOf } from "./banner.js";
import { DEFAULT_CONFIG, fail, packageVersion } from "./common.js";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the daemon")
    .option("-c, --config <file>", "config file", process.env.CRIER_CONFIG ?? DEFAULT_CONFIG)
    .option("--state-dir <dir>", "where crier keeps its database and files (default ./data or $XDG_STATE_HOME/crier)")
    .action(async (opts: { config: string; stateDir?: string }) => {
      let loaded: ReturnType<typeof loadConfig>;
      try {
        loaded = loadConfig(opts.config);
      } catch (err) {
        fail(err);
      }
      const { config, warnings } = loaded;
      // On a terminal: readable lines, warnings and worse only (unless asked); elsewhere JSON lines for a collector.
      const tty = !!process.stderr.isTTY;
      const level = config.log.level ?? process.env.CRIER_LOG_LEVEL ?? (tty ? "warn" : "info");
      const log = createLogger({ level, pretty: tty });
      for (const w of warnings) log.warn(w);
      let app: App;
      try {
        app = await App.create({ config, log, stateDir: resolveStateDir(opts.stateDir, config) });
        await app.start();
      } catch (err) {
        log.fatal({ err }, "crier could not start");
        fail(err);
      }
      const accounts = Object.keys(config.accounts);
      if (process.stdout.isTTY || accounts.some((a) => a === "console" || a.startsWith("console."))) {
        const webPort = app.features.web.port;
        process.stdout.write(
          banner({
            version: packageVersion(),
            configFile: opts.config,
            config,
            stateDir: app.ctx.stateDir,
            webUrl: webPort === undefined ? undefined : webUrlOf(config.http.host, webPort, config.http.publicUrl),
          }),
        );
      }
      // Timers inside crier are unref'd; this keeps the daemon alive (EOF on stdin must not end it) until a signal.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, "stopping");
        clearInterval(keepAlive);
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        app
          .stop()
          .then(() => process.exit(0))
          .catch((err) => {
            log.error({ err }, "stop failed");
            process.exit(1);
          });
      };
      process.on("SIGINT", () => shutdown("SIGINT"));
      process.on("SIGTERM", () => shutdown("SIGTERM"));
      // One bad event must never take the daemon down; log loudly and carry on.
      process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
    });
}
