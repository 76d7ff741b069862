/**
 * Stopping always (issue #16): `crier start 2>&1 | head -c1`, then SIGINT — the reader of crier's stdout and stderr
 * is gone after one byte, crier keeps running (a command is still answered, into the closed pipe), and SIGINT still
 * ends it cleanly within 5 s. And SIGTERM while every account is stuck in connect (servers that accept and never
 * answer) ends it within 10 s; a second signal ends it at once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort, waitUntil } from "../testbed/ports.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("crier with its output piped into a reader that goes away", () => {
  it("keeps running after EPIPE on stdout and stderr, and exits on SIGINT within 5 s", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-pipe-"));
    const lock = join(dir, "crier.lock");
    // pipefail: the pipeline's status is crier's own when crier fails, head's (0) otherwise.
    const shell = spawn(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" bin/crier.js start --config config/example.yaml --state-dir "${dir}" 2>&1 | head -c1`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    let shown = "";
    shell.stdout.on("data", (d) => {
      shown += d;
    });
    const shellExit = new Promise<number | null>((r) => shell.once("exit", (code) => r(code)));
    try {
      await waitUntil("crier running (its lock file)", () => existsSync(lock) && !!readFileSync(lock, "utf8"), 120_000);
      const pid = Number(readFileSync(lock, "utf8"));
      await waitUntil("head took its byte", () => shown.length === 1, 120_000);
      // Something to say into the closed pipe: crier answers on the console (stdout) and logs (stderr).
      shell.stdin.write("!ping\n");
      shell.stdin.write("!help\n");
      await new Promise((r) => setTimeout(r, 1_000));
      assert.ok(alive(pid), "crier still runs after its output was closed");
      const t0 = Date.now();
      process.kill(pid, "SIGINT");
      await waitUntil("crier gone", () => !alive(pid), 5_000);
      console.log(`crier start | head -c1, then SIGINT: exited in ${Date.now() - t0} ms`);
      assert.equal(await shellExit, 0, "crier exited with 0 (the pipeline's status under pipefail)");
      assert.equal(existsSync(lock), false, "the instance lock was released");
    } finally {
      shell.kill("SIGKILL");
      if (existsSync(lock)) {
        const pid = Number(readFileSync(lock, "utf8"));
        if (pid && alive(pid)) process.kill(pid, "SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits within 10 s on SIGTERM while every account is stuck in connect, and at once on a second signal", async () => {
    // Servers that accept connections and never answer: IRC never welcomes, HTTP never replies.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), "crier-stuck-"));
    const httpPort = await freePort();
    const file = join(dir, "crier.yaml");
    writeFileSync(
      file,
      JSON.stringify({
        accounts: {
          "irc.stuck": { host: "127.0.0.1", port, tls: false, nick: "crier", channels: ["#x"] },
          "matrix.stuck": { homeserver: `http://127.0.0.1:${port}`, accessToken: "syt_stuck", rooms: ["!x:localhost"] },
          "discord.stuck": { token: "a.b.c", api: `http://127.0.0.1:${port}/api`, channels: ["123456789012345678"] },
        },
        http: { enabled: true, host: "127.0.0.1", port: httpPort },
        log: { level: "info" },
      }),
      { mode: 0o600 },
    );
    const run = async (second: boolean) => {
      const child = spawn(
        process.execPath,
        ["bin/crier.js", "start", "--config", file, "--state-dir", join(dir, String(second))],
        {
          stdio: ["ignore", "ignore", "ignore"],
        },
      );
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      try {
        await waitUntil(
          "crier up, no account connected, IRC stuck in connect",
          async () => {
            const h = (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as {
              accounts: Array<{ account: string; state: string }>;
            };
            // IRC in connect: its stop waits (bounded, 1 s) for a QUIT answer that never comes.
            const irc = h.accounts.find((a) => a.account === "irc.stuck");
            return h.accounts.every((a) => a.state !== "connected") && irc?.state === "connecting";
          },
          120_000,
        );
        const t0 = Date.now();
        child.kill("SIGTERM");
        // Signals of one kind are not queued: the second is sent once the first is being handled.
        if (second) setTimeout(() => child.kill("SIGTERM"), 200);
        const code = await Promise.race([
          exited,
          new Promise<string>((r) => setTimeout(() => r("still running"), 10_000)),
        ]);
        console.log(
          `SIGTERM${second ? " twice" : ""} with the accounts stuck in connect: exited in ${Date.now() - t0} ms`,
        );
        return code;
      } finally {
        child.kill("SIGKILL");
      }
    };
    try {
      assert.equal(await run(false), 0, "one SIGTERM: a clean stop within 10 s");
      assert.equal(await run(true), 143, "a second SIGTERM: exit at once (128 + 15)");
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
