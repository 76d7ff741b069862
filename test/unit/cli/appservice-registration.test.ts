/**
 * `crier appservice-registration` writes the registration a homeserver loads: the exclusive users namespace of the
 * ghosts' prefix, rate_limited false, and tokens made once and kept in the state directory (a second run with a new
 * URL keeps them; only --new-tokens replaces them). The adapter refuses a registration that no longer matches.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { appserviceSchema } from "../../../src/adapters/matrix/config.js";
import { readRegistration, userNamespace } from "../../../src/adapters/matrix/registration.js";

const dir = mkdtempSync(join(tmpdir(), "crier-asreg-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const crier = (args: string[]) =>
  spawnSync(process.execPath, ["bin/crier.js", ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });

function configFile(name: string, appservice: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.yaml`);
  const config = {
    accounts: {
      "matrix.hs": {
        mode: "appservice",
        homeserver: "http://127.0.0.1:8008",
        appservice: { serverName: "example.org", port: 9009, registration: "crier-registration.yaml", ...appservice },
      },
      ...extra,
    },
  };
  writeFileSync(file, stringify(config));
  return file;
}

describe("crier appservice-registration", () => {
  const stateDir = join(dir, "state");
  const config = configFile("one", {});
  const regFile = join(stateDir, "crier-registration.yaml");

  it("writes the registration with an exclusive namespace for the prefix and says what to do with it", () => {
    const r = crier(["appservice-registration", "--config", config, "--state-dir", stateDir]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      /^wrote .*crier-registration\.yaml \(new tokens\): add it to the homeserver's app_service_config_files/,
    );
    const reg = parse(readFileSync(regFile, "utf8"));
    assert.equal(reg.id, "crier");
    assert.equal(reg.url, "http://127.0.0.1:9009");
    assert.equal(reg.sender_localpart, "crier");
    assert.equal(reg.rate_limited, false);
    assert.match(reg.as_token, /^[\w-]{40,}$/);
    assert.match(reg.hs_token, /^[\w-]{40,}$/);
    assert.notEqual(reg.as_token, reg.hs_token);
    assert.deepEqual(reg.namespaces.users, [{ exclusive: true, regex: "@crier_.*:example\\.org" }]);
    const ns = new RegExp(reg.namespaces.users[0].regex);
    assert.ok(ns.test("@crier_irc_net_ivan:example.org"));
    assert.ok(ns.test("@crier_discord_123:example.org"));
    assert.ok(!ns.test("@alice:example.org"));
    assert.ok(!ns.test("@crier_x:exampleXorg"), "the dot of the server name is literal");
    assert.equal(statSync(regFile).mode & 0o777, 0o600, "the file holds both tokens");
    const kept = JSON.parse(readFileSync(join(stateDir, "matrix-appservice", "matrix.hs.json"), "utf8"));
    assert.deepEqual(kept, { as_token: reg.as_token, hs_token: reg.hs_token });
    assert.equal(statSync(join(stateDir, "matrix-appservice", "matrix.hs.json")).mode & 0o777, 0o600);
  });

  it("keeps the tokens when written again with another --url, and replaces them only with --new-tokens", () => {
    const first = parse(readFileSync(regFile, "utf8"));
    const r = crier([
      "appservice-registration",
      "--config",
      config,
      "--state-dir",
      stateDir,
      "--url",
      "http://crier.internal:9/",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /new tokens/);
    const second = parse(readFileSync(regFile, "utf8"));
    assert.equal(second.url, "http://crier.internal:9");
    assert.equal(second.as_token, first.as_token);
    assert.equal(second.hs_token, first.hs_token);
    const r3 = crier(["appservice-registration", "--config", config, "--state-dir", stateDir, "--new-tokens"]);
    assert.equal(r3.status, 0, r3.stderr);
    const third = parse(readFileSync(regFile, "utf8"));
    assert.notEqual(third.as_token, first.as_token);
    assert.notEqual(third.hs_token, first.hs_token);
  });

  it("uses the configured prefix, bot localpart and id", () => {
    const file = configFile("custom", { userPrefix: "br_", botLocalpart: "bridge", id: "crier-test" });
    const state = join(dir, "state2");
    const r = crier(["appservice-registration", "--config", file, "--state-dir", state]);
    assert.equal(r.status, 0, r.stderr);
    const reg = parse(readFileSync(join(state, "crier-registration.yaml"), "utf8"));
    assert.equal(reg.id, "crier-test");
    assert.equal(reg.sender_localpart, "bridge");
    assert.equal(reg.namespaces.users[0].regex, "@br_.*:example\\.org");
  });

  it("fails with a one-line reason without an appservice account, or with a bad --url", () => {
    const plain = join(dir, "plain.yaml");
    writeFileSync(plain, stringify({ accounts: { console: {} } }));
    const r = crier(["appservice-registration", "--config", plain, "--state-dir", join(dir, "s3")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `crier: no Matrix account with mode: appservice in ${plain}`);
    const bad = crier(["appservice-registration", "--config", config, "--state-dir", stateDir, "--url", "ftp://x"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--url: "ftp:\/\/x" is not an http\(s\) URL/);
  });
});

describe("the appservice config and a registration that no longer matches it", () => {
  const as = appserviceSchema.parse({ serverName: "example.org", port: 9009, registration: "r.yaml" });

  it("has the defaults the README gives", () => {
    assert.equal(as.bindAddress, "127.0.0.1");
    assert.equal(as.userPrefix, "crier_");
    assert.equal(as.botLocalpart, "crier");
    assert.equal(userNamespace("crier_", "localhost:8448"), "@crier_.*:localhost:8448");
  });

  it("refuses a missing file and one with another prefix, naming the fix", () => {
    assert.throws(
      () => readRegistration(join(dir, "nope.yaml"), as),
      /does not exist: run crier appservice-registration/,
    );
    const other = join(dir, "other.yaml");
    writeFileSync(
      other,
      stringify({
        as_token: "a",
        hs_token: "h",
        sender_localpart: "crier",
        namespaces: { users: [{ exclusive: true, regex: "@other_.*:example\\.org" }] },
      }),
    );
    assert.throws(
      () => readRegistration(other, as),
      /users namespace is not exactly one exclusive @crier_\.\*:example\\\.org.*write it again/,
    );
  });
});
