/**
 * A crier process for the footprint figures, measured from outside: spawned the way an operator runs it
 * (`node bin/crier.js start`), its memory read from /proc/PID/status (VmRSS now, VmHWM the peak), its log read for
 * "crier started". Linux only (that is where /proc is).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  /** The same figure for the peer (heisenbridge), where it does the same work; null when it could not be taken. */
  peer?: number | null;
  /** value / peer. */
  ratio?: number | null;
  /** The 1-minute load average when it was measured (the machine is shared; a busy one reads slower). */
  load: number;
  note?: string;
  [more: string]: unknown;
}

const tenth = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);

/**
 * A figure; one that could not be measured (it did not happen in time) has value null. `more` may carry the
 * peer's value (the ratio follows), a floor (`floor`, with `overFloor` and `ratioToFloor` following), a goal, a note.
 */
export const figure = (
  name: string,
  value: number | undefined,
  unit: string,
  more: string | ({ peer?: number; floor?: number } & Record<string, unknown>) = {},
): Figure => {
  const extra = typeof more === "string" ? { note: more } : more;
  const { peer, floor, ...rest } = extra;
  const v = tenth(value);
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
  return {
    name,
    value: v,
    unit,
    ...("peer" in extra ? { peer: tenth(peer), ratio: ratio(v, tenth(peer)) } : {}),
    ...("floor" in extra
      ? {
          floor: tenth(floor),
          overFloor: v === null || floor === undefined ? null : tenth(v - floor),
          ratioToFloor: ratio(v, tenth(floor)),
        }
      : {}),
    load: Math.round(loadavg()[0] * 100) / 100,
    ...rest,
  };
};

/** A figure nobody could take: null, with the reason on stderr. */
export function missing(name: string, unit: string, why: string): Figure {
  process.stderr.write(`bench: ${name}: ${why}\n`);
  return figure(name, undefined, unit, { note: why });
}

export type Runtime = "compiled" | "tsx";

export class CrierProcess {
  readonly child: ChildProcess;
  /** performance.now() when spawned. */
  readonly spawnedAt = performance.now();
  /** Milliseconds from spawn to the "crier started" log line. */
  readonly started: Promise<number>;
  private stderr = "";

  /** `flags` go to node before the script (V8 options such as --max-semi-space-size=1). */
  constructor(configFile: string, stateDir: string, runtime: Runtime, flags: string[] = []) {
    this.child = spawn(
      process.execPath,
      [...flags, join(ROOT, "bin/crier.js"), "start", "--config", configFile, "--state-dir", stateDir],
      {
        cwd: ROOT,
        // stdin stays open (the console account reads it); stdout is the console's chat, drained.
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, CRIER_RUN_SOURCES: runtime === "tsx" ? "1" : "", CRIER_LOG_LEVEL: "info" },
      },
    );
    this.child.stdout?.resume();
    this.started = new Promise((resolve, reject) => {
      this.child.stderr?.on("data", (d: Buffer) => {
        this.stderr = (this.stderr + d.toString()).slice(-20_000);
        if (this.stderr.includes('"msg":"crier started"')) resolve(performance.now() - this.spawnedAt);
      });
      this.child.once("exit", (code) => reject(new Error(`crier exited (${code}) before it started:\n${this.stderr}`)));
    });
  }

  /** Resident and peak resident memory in MiB. */
  memory(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  }

  log(): string {
    return this.stderr;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    const late = setTimeout(() => this.child.kill("SIGKILL"), 12_000);
    await exited;
    clearTimeout(late);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (a minute at most) until the crier serving /healthz on `port` has every account connected. */
export async function untilConnected(port: number, who = "crier"): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    const body = r?.ok ? ((await r.json()) as { accounts: { state: string }[] }) : undefined;
    if (body?.accounts.every((a) => a.state === "connected")) return;
    await sleep(100);
  }
  process.stderr.write(`bench: ${who} not connected within 60 s\n`);
}

/** The newest modification time under `dir`. */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    max = Math.max(max, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return max;
}

/** Builds dist/ (`npm run build`) unless a build at least as new as the sources is there; bin/crier.js then runs it. */
export function ensureCompiled(): void {
  const built = existsSync(join(ROOT, "dist/.built")) ? statSync(join(ROOT, "dist/.built")).mtimeMs : 0;
  if (built > 0 && built >= newest(join(ROOT, "src"))) return;
  const r = spawnSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed");
}
