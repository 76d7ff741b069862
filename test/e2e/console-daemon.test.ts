/** The README's first command, as a newcomer sees it: crier on config/example.yaml, talked to on the console. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitUntil } from "../testbed/ports.js";

function startDaemon(stateDir: string) {
  const child = spawn(
    process.execPath,
    ["bin/crier.js", "start", "--config", "config/example.yaml", "--state-dir", stateDir],
    {
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  // Generous: on a busy machine the first start (tsx transpiling every source) alone can take many seconds.
  const waitFor = (re: RegExp, ms = 60_000) =>
    waitUntil(`${re} in the output`, () => re.test(out), ms).catch((e: Error) => {
      throw new Error(`${e.message}; stdout: ${out}; stderr: ${err}`);
    });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, waitFor, exited, output: () => out };
}

describe("console daemon (crier start on config/example.yaml)", () => {
  it("answers !help, !ping and an unknown command, survives EOF on stdin, and exits cleanly on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-daemon-"));
    const d = startDaemon(dir);
    try {
      d.child.stdin.write("!help\n");
      await d.waitFor(/<crier> commands: .*!ping — check that crier is alive/);
      d.child.stdin.write("!ping\n");
      await d.waitFor(/<crier> pong/);
      d.child.stdin.write("!pnig\n");
      await d.waitFor(/unknown command "pnig" — did you mean "ping"\?/);
      d.child.stdin.end();
      // EOF must not stop the daemon: it is still there to be signalled.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(d.child.exitCode, null, "still running after EOF");
      d.child.kill("SIGINT");
      const code = await Promise.race([d.exited, new Promise<string>((r) => setTimeout(() => r("no exit"), 10000))]);
      assert.equal(code, 0);
    } finally {
      d.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a second instance on the same state directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-daemon-"));
    const first = startDaemon(dir);
    try {
      first.child.stdin.write("!ping\n");
      await first.waitFor(/<crier> pong/);
      const second = startDaemon(dir);
      const code = await second.exited;
      assert.equal(code, 1);
      first.child.stdin.write("!ping\n");
      await first.waitFor(/pong[\s\S]*pong/);
    } finally {
      first.child.kill("SIGTERM");
      await first.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
