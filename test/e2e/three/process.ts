/**
 * crier as a real process against the three networks (`crier start` on a written config), and what an operator
 * looks at from outside: /healthz, whether crier's nick is in the channel, how long a signal takes to stop it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { CHANNEL, type ThreeNetworks } from "./testbed.js";

export interface Health {
  ok: boolean;
  accounts: Array<{ account: string; state: string; failures: number; lastError?: string; nextRetryAt?: string }>;
}

export interface CrierProcess {
  child: ChildProcess;
  /** The config file it was started on (rewrite it, then `crier reload`). */
  file: string;
  stateDir: string;
  exited: Promise<number | null>;
}

export class CrierProcesses {
  private readonly started: ChildProcess[] = [];
  /** Where every process's output goes (a failed test leaves it in the testbed's state directory). */
  readonly logFile: string;

  constructor(private readonly net: ThreeNetworks) {
    this.logFile = join(net.stateDir, "crier-process.log");
  }

  /** Writes `config` (log level info) and runs `crier start` on it, with a state directory of its own. */
  start(config: Record<string, unknown>, name: string): CrierProcess {
    const file = join(this.net.stateDir, `${name}.yaml`);
    writeFileSync(file, stringify({ ...config, log: { level: "info" } }), { mode: 0o600 });
    const stateDir = join(this.net.stateDir, name);
    mkdirSync(stateDir, { recursive: true });
    const log = openSync(this.logFile, "a");
    const child = spawn(process.execPath, ["bin/crier.js", "start", "--config", file, "--state-dir", stateDir], {
      stdio: ["ignore", log, log],
    });
    this.started.push(child);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    return { child, file, stateDir, exited };
  }

  /** Sends `signal` and waits up to 10 s: the exit code, or "still running". */
  async stopMeasured(p: CrierProcess, signal: NodeJS.Signals): Promise<{ code: number | null | string; ms: number }> {
    const t0 = Date.now();
    p.child.kill(signal);
    const code = await Promise.race([
      p.exited,
      new Promise<string>((r) => setTimeout(() => r("still running"), 10_000)),
    ]);
    return { code, ms: Date.now() - t0 };
  }

  killAll(): void {
    for (const c of this.started) if (c.exitCode === null) c.kill("SIGKILL");
  }

  /** crier's nick is in the channel's NAMES, as another IRC user sees it. */
  async inChannel(nick: string): Promise<boolean> {
    const probe = await this.net.ircPerson(`probe${Math.floor(Math.random() * 1e6)}`);
    probe.send(`NAMES ${CHANNEL}`);
    await probe.waitFor(/ 366 /);
    const names = probe.lines.filter((l) => / 353 /.test(l)).join(" ");
    probe.close();
    return new RegExp(`[@+ :]${nick}\\b`).test(names);
  }
}

export async function health(port: number): Promise<Health> {
  return (
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) })
  ).json() as Promise<Health>;
}

export const accountOf = (h: Health, account: string) => h.accounts.find((a) => a.account === account);
