/**
 * `crier reload`: finds the running crier through its state directory's lock file, sends it SIGHUP, and waits for
 * its answer (the reload result it writes to the state directory): "reloaded", or the problems check-config would
 * print, with a non-zero exit.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { resolveStateDir } from "../app.js";
import { RELOAD_RESULT_FILE, type ReloadOutcome } from "../reload.js";
import { configOption, fail, readConfig } from "./common.js";

const ANSWER_WAIT_MS = 30_000;

export function registerReload(program: Command): void {
  program
    .command("reload")
    .description("tell the running crier to re-read its config (same as SIGHUP); prints what changed")
    .option(...configOption("config file (to find the state directory)"))
    .option("--state-dir <dir>", "the running crier's state directory")
    .action(async (opts: { config: string; stateDir?: string }) => {
      let stateDir: string;
      try {
        stateDir = resolveStateDir(opts.stateDir, opts.stateDir ? ({} as never) : readConfig(opts.config));
      } catch (err) {
        fail(err);
      }
      const lock = join(stateDir, "crier.lock");
      const pid = existsSync(lock) ? Number(readFileSync(lock, "utf8").trim()) : 0;
      if (!pid) fail(new Error(`no crier is running on ${stateDir} (no lock file ${lock})`));
      const resultFile = join(stateDir, RELOAD_RESULT_FILE);
      const before = existsSync(resultFile) ? statSync(resultFile).mtimeMs : 0;
      try {
        process.kill(pid, "SIGHUP");
      } catch (err) {
        fail(new Error(`could not signal crier (pid ${pid}): ${(err as Error).message}`));
      }
      const outcome = await waitForAnswer(resultFile, before);
      if (!outcome) fail(new Error(`crier (pid ${pid}) did not answer within ${ANSWER_WAIT_MS / 1000} s; see its log`));
      if (!outcome.ok) {
        process.stderr.write("the new config was rejected; crier goes on with the old one:\n");
        fail({ message: outcome.problems.join("\n") } as Error);
      }
      const parts = [
        outcome.added.length ? `connected ${outcome.added.join(", ")}` : "",
        outcome.removed.length ? `disconnected ${outcome.removed.join(", ")}` : "",
        outcome.reconnected.length ? `reconnected ${outcome.reconnected.join(", ")}` : "",
        outcome.ignored.length ? `needs a restart for ${outcome.ignored.join(", ")}` : "",
      ].filter(Boolean);
      process.stdout.write(`reloaded${parts.length ? `: ${parts.join("; ")}` : ""}\n`);
    });
}

async function waitForAnswer(file: string, before: number): Promise<ReloadOutcome | undefined> {
  const until = Date.now() + ANSWER_WAIT_MS;
  while (Date.now() < until) {
    if (existsSync(file) && statSync(file).mtimeMs > before) {
      try {
        return JSON.parse(readFileSync(file, "utf8")) as ReloadOutcome;
      } catch {
        // Being written: read again shortly.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
