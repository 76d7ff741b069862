/**
 * A real Synapse for the Matrix tests: installed from PyPI into .testbed/venv (test/testbed/synapse-install.sh),
 * configured from scratch in a temporary directory, listening on a free 127.0.0.1 port, stopped by the tests.
 * Rate limits are raised unless `realistic` is asked for (the rate-limit test wants 429s). Application services
 * (registration files, e.g. the one `crier appservice-registration` writes) are loaded when given.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitUntil } from "./ports.js";
import { MatrixTestUser } from "./synapse-client.js";

const PYTHON = resolve(import.meta.dirname, "../../.testbed/venv/bin/python");

export interface Synapse {
  url: string;
  port: number;
  dir: string;
  serverName: string;
  /** Registers a user through the shared-secret admin API; returns a client-server helper logged in as them. */
  register(localpart: string, opts?: { admin?: boolean; password?: string }): Promise<MatrixTestUser>;
  /** Stops the homeserver, keeping its data (start() brings it back on the same port). */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SynapseOptions {
  /** Keep message rate limits low (a burst, then a few per second) so that sends meet 429 M_LIMIT_EXCEEDED. */
  realistic?: { perSecond: number; burst: number };
  /** Registration files of application services (Synapse's `app_service_config_files`). */
  appServiceConfigFiles?: string[];
}

const high = { per_second: 10_000, burst_count: 10_000 };

function config(dir: string, port: number, secret: string, opts: SynapseOptions): Record<string, unknown> {
  return {
    server_name: "localhost",
    pid_file: join(dir, "homeserver.pid"),
    listeners: [
      {
        port,
        bind_addresses: ["127.0.0.1"],
        type: "http",
        tls: false,
        x_forwarded: false,
        resources: [{ names: ["client"], compress: false }],
      },
    ],
    database: { name: "sqlite3", args: { database: join(dir, "homeserver.db") } },
    media_store_path: join(dir, "media"),
    registration_shared_secret: secret,
    enable_registration: false,
    enable_registration_without_verification: true,
    report_stats: false,
    macaroon_secret_key: randomBytes(24).toString("hex"),
    form_secret: randomBytes(24).toString("hex"),
    signing_key_path: join(dir, "signing.key"),
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    bcrypt_rounds: 4,
    presence: { enabled: false },
    url_preview_enabled: false,
    rc_message: opts.realistic ? { per_second: opts.realistic.perSecond, burst_count: opts.realistic.burst } : high,
    rc_registration: high,
    rc_login: { address: high, account: high, failed_attempts: high },
    rc_joins: { local: high, remote: high },
    rc_joins_per_room: high,
    rc_invites: { per_room: high, per_user: high, per_issuer: high },
    rc_admin_redaction: high,
    rc_room_creation: high,
    rc_presence: { per_user: high },
    rc_delayed_event_mgmt: high,
    rc_3pid_validation: high,
    ...(opts.appServiceConfigFiles?.length ? { app_service_config_files: opts.appServiceConfigFiles } : {}),
  };
}

/** Synapse's signing key file: `ed25519 <version> <unpadded base64 seed>`. */
function signingKey(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url");
  return `ed25519 a_crier ${seed.toString("base64").replace(/=+$/, "")}\n`;
}

export async function startSynapse(opts: SynapseOptions = {}): Promise<Synapse> {
  if (!existsSync(PYTHON)) throw new Error("Synapse not installed — run: bash scripts/testbed-install.sh");
  const dir = mkdtempSync(join(tmpdir(), "crier-synapse-"));
  const port = await freePort();
  const secret = randomBytes(16).toString("hex");
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "signing.key"), signingKey());
  // JSON is YAML.
  writeFileSync(join(dir, "homeserver.yaml"), JSON.stringify(config(dir, port, secret, opts), null, 1));
  let child: ChildProcess | undefined;
  let output = "";
  const kill = async () => {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(t);
  };
  const start = async () => {
    const proc = spawn(PYTHON, ["-m", "synapse.app.homeserver", "-c", join(dir, "homeserver.yaml")], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    try {
      await waitUntil(
        `Synapse /health on port ${port}`,
        async () => {
          if (proc.exitCode !== null) throw new Error("exited");
          const res = await fetch(`${url}/health`);
          return res.ok && (await res.text()) === "OK";
        },
        60_000,
      );
    } catch (err) {
      await kill();
      throw new Error(`${(err as Error).message}; Synapse output: ${output.slice(-3000)}`);
    }
  };
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const register = async (localpart: string, o: { admin?: boolean; password?: string } = {}) => {
    const endpoint = `${url}/_synapse/admin/v1/register`;
    const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
    const password = o.password ?? `pw-${localpart}-${randomBytes(4).toString("hex")}`;
    const mac = createHmac("sha1", secret)
      .update(`${nonce}\0${localpart}\0${password}\0${o.admin ? "admin" : "notadmin"}`)
      .digest("hex");
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nonce, username: localpart, password, admin: !!o.admin, mac }),
    });
    const body = (await res.json()) as { user_id: string; access_token: string; error?: string };
    if (!res.ok) throw new Error(`register ${localpart}: ${res.status} ${body.error}`);
    return new MatrixTestUser(url, body.user_id, body.access_token, password);
  };
  return { url, port, dir, serverName: "localhost", register, kill, start, stop };
}
