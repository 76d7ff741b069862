/** `check-config --no-env` checks a config that names secrets without them; `healthcheck` follows the config's port. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeTestApp } from "../../helpers/app.js";

const crier = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ["bin/crier.js", ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });

/** Without blocking this process: the crier being checked runs in it. */
function crierAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/crier.js", ...args], { env: { PATH: process.env.PATH } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("crier check-config --no-env", () => {
  it("passes config/kamailio.yaml without its secrets and names each variable with where it is used", () => {
    const plain = crier(["check-config", "config/kamailio.yaml"]);
    assert.equal(plain.status, 1, "without --no-env the missing secrets are errors");
    assert.match(plain.stderr, /environment variable IRC_PASSWORD is not set/);
    const r = crier(["check-config", "--no-env", "config/kamailio.yaml"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ok \(structure; the environment was not read\)$/m);
    for (const [name, path] of [
      ["IRC_PASSWORD", "accounts.irc.libera.sasl.password"],
      ["MATRIX_TOKEN", "accounts.matrix.main.accessToken"],
      ["DISCORD_TOKEN", "accounts.discord.main.token"],
      ["GITHUB_TOKEN", "advisories.sources[0].token"],
    ])
      assert.match(r.stdout, new RegExp(`^ {2}${name} {2}\\(${path.replace(/[.[\]]/g, "\\$&")}\\)$`, "m"));
  });

  it("still fails on a structural error, naming the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-cc-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, 'accounts:\n  discord.main: { token: "${DISCORD_TOKEN}", chanels: ["1"] }\n');
      const r = crier(["check-config", "--no-env", file]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /accounts\.discord\.main\.chanels: unknown key/);
      assert.doesNotMatch(r.stderr, /DISCORD_TOKEN is not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("crier healthcheck", () => {
  it("asks /healthz on the port the config names: 0 while crier runs, 1 once it is gone", async () => {
    const t = await makeTestApp({ http: { enabled: true, host: "127.0.0.1", port: 0 } });
    const dir = mkdtempSync(join(tmpdir(), "crier-hc-"));
    const file = join(dir, "crier.yaml");
    try {
      const port = t.app.features.web.port;
      assert.ok(port, "the web server listens");
      writeFileSync(file, `http: { enabled: true, host: 0.0.0.0, port: ${port} }\n`);
      const up = await crierAsync(["healthcheck", "--config", file]);
      assert.equal(up.status, 0, up.stderr);
      assert.match(up.stdout, new RegExp(`http://127\\.0\\.0\\.1:${port}/healthz: 200`));
      await t.close();
      const down = crier(["healthcheck", "--config", file]);
      assert.equal(down.status, 1);
      writeFileSync(file, "http: { enabled: false }\n");
      assert.match(crier(["healthcheck", "--config", file]).stderr, /http\.enabled is false/);
    } finally {
      await t.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
