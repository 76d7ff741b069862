import type { Command } from "commander";
import { App, resolveStateDir } from "../app.js";
import { loadConfig } from "../config/load.js";
import { createLogger } from "../core/log.js";
import { banner, webUrlOf } from "./banner.js";
import { configOption, fail, packageVersion } from "./common.js";
import { Daemon, EXIT_CONFIG } from "./daemon.js";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the daemon (SIGHUP or `crier reload` re-reads the config)")
    .option(...configOption())
    .option("--state-dir <dir>", "where crier keeps its database and files (default ./data or $XDG_STATE_HOME/crier)")
    .action(async (opts: { config: string; stateDir?: string }) => {
      // Alive from here on by its own interval: nothing depends on which timers of crier's happen to be ref'd.
      const daemon = new Daemon();
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
      daemon.setLogger(log);
      for (const w of warnings) log.warn(w);
      let app: App;
      try {
        app = await App.create({
          config,
          log,
          stateDir: resolveStateDir(opts.stateDir, config),
          configFile: opts.config,
          onFatal: (reason) => {
            log.fatal({ reason }, "crier cannot go on");
            process.stderr.write(`crier: ${reason}\n`);
            daemon.exitAfterStop(EXIT_CONFIG, reason);
          },
        });
      } catch (err) {
        log.fatal({ err }, "crier could not start");
        fail(err);
      }
      daemon.running(log, { stop: () => app.stop(), reload: () => app.reloadFromFile().then(() => undefined) });
      try {
        await app.start();
      } catch (err) {
        log.fatal({ err }, "crier could not start");
        await app.stop().catch(() => undefined);
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
    });
}
