/**
 * `crier start 2>&1 | head -c1`, then SIGINT: the reader of crier's stdout and stderr is gone after one byte, crier
 * keeps running (a command is still answered — into the closed pipe), and SIGINT still ends it cleanly within 5 s.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitUntil } from "../testbed/ports.js";

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
});
