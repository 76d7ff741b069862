/**
 * heisenbridge 1.15.4 (PyPI, in its own venv .testbed/heisenbridge-venv) as the peer in the footprint benchmark:
 * registered as an application service on the testbed Synapse, driven the way its users drive it (a DM with its bot:
 * ADDNETWORK, ADDSERVER, OPEN; then NICK, CONNECT, JOIN in the network room). Not part of any test.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MatrixTestUser } from "../test/testbed/synapse-client.js";
import { freePort } from "../test/testbed/ports.js";
import { ROOT, sleep } from "./_process.js";

const VENV = join(ROOT, ".testbed/heisenbridge-venv");
const PY = join(VENV, "bin/python");
export const HEISENBRIDGE_VERSION = "1.15.4";

/** Installs heisenbridge into its venv when missing (pip, from PyPI). */
export function ensureHeisenbridge(): void {
  if (existsSync(PY) && spawnSync(PY, ["-m", "heisenbridge", "--version"]).status === 0) return;
  const steps = [
    ["python3", ["-m", "venv", VENV]],
    [join(VENV, "bin/pip"), ["install", "-q", `heisenbridge==${HEISENBRIDGE_VERSION}`]],
  ] as const;
  for (const [cmd, args] of steps)
    if (spawnSync(cmd, [...args], { stdio: "inherit" }).status !== 0)
      throw new Error(`${cmd} ${args.join(" ")} failed`);
}

export class Heisenbridge {
  readonly dir = mkdtempSync(join(tmpdir(), "crier-hb-"));
  readonly registration = join(this.dir, "registration.yaml");
  child: ChildProcess | undefined;
  spawnedAt = 0;
  private port = 0;
  private out = "";

  /** Writes the registration (before Synapse starts: Synapse reads it at start). */
  async generate(): Promise<void> {
    this.port = await freePort();
    const r = spawnSync(PY, [
      "-m",
      "heisenbridge",
      "-c",
      this.registration,
      "--generate",
      "-l",
      "127.0.0.1",
      "-p",
      `${this.port}`,
    ]);
    if (r.status !== 0) throw new Error(`heisenbridge --generate failed: ${r.stderr}`);
  }

  start(homeserver: string, owner: string): void {
    this.spawnedAt = Date.now();
    this.out = "";
    this.child = spawn(
      PY,
      ["-m", "heisenbridge", ...(process.env.HB_V ? ["-v"] : []), "-c", this.registration, "-o", owner, homeserver],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const keep = (d: Buffer) => {
      this.out = (this.out + d.toString()).slice(-20_000);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
  }

  output(): string {
    return this.out;
  }

  memory(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.child?.pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    const late = setTimeout(() => c.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(late);
  }
}

/** Joins, as `user`, every room it is invited to (incremental /sync: an initial one is cached by Synapse). */
class InviteTaker {
  private since = "";
  readonly joined: string[] = [];
  constructor(private readonly user: MatrixTestUser) {}

  async take(): Promise<void> {
    const q = `timeout=0${this.since ? `&since=${encodeURIComponent(this.since)}` : ""}`;
    const res = await this.user.request("GET", `/_matrix/client/v3/sync?${q}`);
    this.since = res.next_batch;
    for (const room of Object.keys(res?.rooms?.invite ?? {})) {
      if (this.joined.includes(room)) continue;
      await this.user.join(room);
      this.joined.push(room);
    }
  }

  /** Takes invites until `found` names a room (or `ms` pass: undefined). */
  async until(found: () => Promise<string | undefined>, ms = 120_000): Promise<string | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await this.take();
      const hit = await found();
      if (hit) return hit;
      await sleep(250);
    }
    return undefined;
  }
}

const roomName = (user: MatrixTestUser, room: string) =>
  user
    .request("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/state/m.room.name`)
    .then((c) => String(c?.name ?? ""))
    .catch(() => "");

/**
 * The owner's setup, as its users do it: a DM to the bot brings its control room; there ADDNETWORK, ADDSERVER and
 * OPEN; in the network room NICK, CONNECT and JOIN. Returns the Matrix room of `channel` (undefined if it never came).
 */
function fail(why: string): undefined {
  process.stderr.write(`heisenbridge setup: ${why}\n`);
  return undefined;
}

export async function bridgeChannel(
  owner: MatrixTestUser,
  ircPort: number,
  channel: string,
  nick: string,
): Promise<string | undefined> {
  const invites = new InviteTaker(owner);
  const dm = await owner.createRoom({ invite: ["@heisenbridge:localhost"] });
  await sleep(1000);
  await owner.sendText(dm, "HELP");
  const control = await invites.until(async () => invites.joined[0]);
  if (!control) return fail("no control room");
  for (const cmd of ["ADDNETWORK bench", `ADDSERVER bench 127.0.0.1 ${ircPort}`, "OPEN bench"]) {
    await owner.sendText(control, cmd);
    await sleep(500);
  }
  const network = await invites.until(async () => {
    for (const r of invites.joined) if ((await roomName(owner, r)) === "bench") return r;
    return undefined;
  });
  if (!network)
    return fail(`no network room among ${await Promise.all(invites.joined.map((r) => roomName(owner, r)))}`);
  await owner.sendText(network, `NICK ${nick}`);
  await owner.sendText(network, "CONNECT");
  await sleep(2000);
  await owner.sendText(network, `JOIN ${channel}`);
  const room = await invites.until(async () => {
    for (const r of invites.joined) if ((await roomName(owner, r)) === `${channel} (bench)`) return r;
    return undefined;
  });
  return room ?? fail(`no ${channel} room among ${await Promise.all(invites.joined.map((r) => roomName(owner, r)))}`);
}
