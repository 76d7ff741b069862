import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger, scrubSecrets } from "../../../src/core/log.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: "debug", destination }), text: () => lines.join("") };
}

describe("secrets stay out of logs", () => {
  it("redacts token, password and webhook fields at any depth", () => {
    const { log, text } = capture();
    log.info(
      {
        token: "tok-1",
        password: "pw-1",
        account: { accessToken: "at-1", sasl: { password: "pw-2" } },
        webhookUrl: "https://x/webhooks/1/abc",
      },
      "connecting",
    );
    const out = text();
    for (const secret of ["tok-1", "pw-1", "at-1", "pw-2", "webhooks/1/abc"])
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.match(out, /\[redacted\]/);
  });

  it("scrubs credentials embedded in error messages and URLs", () => {
    const { log, text } = capture();
    log.error(
      {
        err: new Error(
          "POST https://discord.com/api/webhooks/123/SECRETTOKEN failed; Bot abcdefghijklmnop; https://u:hunter2@db/x?access_token=zzz",
        ),
      },
      "send failed",
    );
    const out = text();
    for (const secret of ["SECRETTOKEN", "abcdefghijklmnop", "hunter2", "zzz"])
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.equal(scrubSecrets("Bearer syt_abc.def-123 ok"), "Bearer [redacted] ok");
  });

  it("warns when a config holding secrets is readable by other users", () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-perm-"));
    const file = join(dir, "c.yaml");
    // Only references to the environment and a comment: nothing secret in the file, so no warning.
    writeFileSync(
      file,
      "accounts:\n  console: {}\n  discord:\n    token: ${DISCORD_TOKEN}\n# token: kept elsewhere\nadmins: []\n",
    );
    chmodSync(file, 0o644);
    const env = { ...process.env, DISCORD_TOKEN: "from-env" };
    const r0 = spawnSync(process.execPath, ["bin/crier.js", "check-config", file], { encoding: "utf8", env });
    assert.equal(r0.status, 0, r0.stderr);
    assert.equal(r0.stderr, "");
    writeFileSync(file, "accounts:\n  console: {}\n  discord:\n    token: 'literal.Discord.token'\nadmins: []\n");
    const r = spawnSync(process.execPath, ["bin/crier.js", "check-config", file], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /readable by other users and holds secrets: chmod 600/);
    chmodSync(file, 0o600);
    const r2 = spawnSync(process.execPath, ["bin/crier.js", "check-config", file], { encoding: "utf8" });
    assert.equal(r2.stderr, "");
  });
});
