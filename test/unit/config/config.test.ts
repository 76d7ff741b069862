import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../../src/config/load.js";
import { ConfigError } from "../../../src/core/errors.js";

const problems = (yaml: string, env: NodeJS.ProcessEnv = {}): string[] => {
  try {
    parseConfig(yaml, env, "c.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return [];
};

describe("config validation", () => {
  it("accepts the example config", () => {
    const cfg = parseConfig("accounts:\n  console: {}\n", {});
    assert.equal(cfg.store.kind, "sqlite");
    assert.deepEqual(Object.keys(cfg.accounts), ["console"]);
  });

  it("names an unknown account in a link with a did-you-mean", () => {
    const p = problems(`
accounts:
  console: {}
  console.b: {}
links:
  - name: devel
    rooms:
      - { account: console, room: a }
      - { account: console.c, room: b }
`);
    assert.deepEqual(p, ['links[0].rooms[1].account: unknown account "console.c" — did you mean "console.b"?']);
  });

  it("reports an unknown key with its path and a suggestion", () => {
    const p = problems("timezones:\n  defualt: UTC\n");
    assert.equal(p.length, 1);
    assert.match(p[0], /^timezones\.defualt: unknown key — did you mean "default"\?/);
  });

  it("refuses a link's senderTemplate, which crier never had a use for (the prefix is per Matrix account)", () => {
    const p = problems(`
accounts:
  console: {}
  console.b: {}
links:
  - name: devel
    senderTemplate: "<b>{name}</b>: "
    rooms:
      - { account: console, room: a }
      - { account: console.b, room: b }
`);
    assert.equal(p.length, 1);
    assert.match(p[0], /^links\[0\]\.senderTemplate: unknown key/);
  });

  it("reports a missing required field with its path", () => {
    const p = problems("schedules:\n  - id: x\n    cron: '0 16 * * 3'\n    text: hi\n    to: [console/console]\n");
    assert.deepEqual(p, ["schedules[0].zone: required string is missing"]);
  });

  it("reports a bad YAML indent with its line", () => {
    const p = problems("accounts:\n  console:\n    user: a\n   rooms: [x]\n");
    assert.equal(p.length, 1);
    assert.match(p[0], /^c\.yaml:4:\d+: YAML error/);
  });

  it("validates each account by its platform's schema", () => {
    const p = problems("accounts:\n  irc.libera:\n    host: irc.libera.chat\n");
    assert.deepEqual(p, ["accounts.irc.libera.nick: required string is missing"]);
    const q = problems("accounts:\n  icq.old: {}\n");
    assert.match(q[0], /unknown platform "icq"/);
  });

  it("interpolates ${ENV} after parsing and reports unset variables", () => {
    const cfg = parseConfig("accounts:\n  console:\n    user: ${WHO}\n", { WHO: "alice: {x}" });
    assert.equal((cfg.accounts.console as { user: string }).user, "alice: {x}");
    assert.deepEqual(problems("accounts:\n  console:\n    user: ${NOPE}\n"), [
      "accounts.console.user: environment variable NOPE is not set — export it or remove ${NOPE}",
    ]);
  });

  it("rejects an invalid time zone and duplicate rooms in a link", () => {
    assert.match(problems("timezones:\n  default: Mars/Olympus\n")[0], /timezones\.default: not an IANA time zone/);
    const p = problems(`
accounts: { console: {} }
links:
  - name: x
    rooms: [{ account: console, room: a }, { account: console, room: a }]
`);
    assert.match(p[0], /links\[0\]\.rooms\[1\]: room console\/a appears twice/);
  });

  it("check-config prints four precise errors and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "crier-cfg-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `accounts:
  console: {}
links:
  - name: devel
    rooms:
      - { account: console, room: a }
      - { account: consol, room: b }
timezones:
  world: [UTC]
  defualt: UTC
schedules:
  - id: weekly
    cron: "0 16 * * 3"
    text: hi
    to: [devel]
`,
    );
    const r = spawnSync(process.execPath, ["bin/crier.js", "check-config", bad], { encoding: "utf8" });
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split("\n");
    assert.deepEqual(
      lines.sort(),
      [
        'links[0].rooms[1].account: unknown account "consol" — did you mean "console"?',
        "schedules[0].zone: required string is missing",
        `timezones.defualt: unknown key — did you mean "default"? (allowed: default, world, rooms, autoConvert)`,
      ].sort(),
    );
    const indent = join(dir, "indent.yaml");
    writeFileSync(indent, "accounts:\n  console:\n    user: a\n   rooms: [x]\n");
    const r2 = spawnSync(process.execPath, ["bin/crier.js", "check-config", indent], { encoding: "utf8" });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /indent\.yaml:4:\d+: YAML error/);
    const ok = spawnSync(process.execPath, ["bin/crier.js", "check-config", "config/example.yaml"], {
      encoding: "utf8",
    });
    assert.equal(ok.stdout.trim(), "ok", ok.stderr);
  });
});

describe("shipped example configs", () => {
  for (const file of ["config/example.yaml", "config/kamailio.yaml"]) {
    it(`${file} is valid`, () => {
      const env = { IRC_PASSWORD: "x", MATRIX_TOKEN: "x", DISCORD_TOKEN: "x", GITHUB_TOKEN: "x" };
      assert.ok(parseConfig(readFileSync(file, "utf8"), env, file));
    });
  }
});

describe("config errors a newcomer can act on", () => {
  const meeting = (extra: string) => `
accounts: { console: {} }
meetings:
  - id: devel
    title: Devel
    start: 2027-01-06T16:00
    zone: Europe/Berlin
${extra}`;

  it("rejects a meeting duration that is not a duration", () => {
    assert.deepEqual(problems(meeting("    duration: banana\n")), [
      'meetings[0].duration: "banana" is not a duration like 1h or 90m',
    ]);
    assert.deepEqual(problems(meeting("    duration: 1h30m\n")), []);
  });

  it("a bad RRULE is explained, not a TypeError", () => {
    const [p] = problems(meeting("    rrule: FREQ=WEEKLY;BYDAY=XX\n"));
    assert.match(
      p,
      /^meetings\[0\]\.rrule: bad rrule "FREQ=WEEKLY;BYDAY=XX": BYDAY=XX is not valid: BYDAY takes weekdays/,
    );
    assert.ok(!/Cannot read|undefined/.test(p), p);
    assert.match(problems(meeting("    rrule: FREQ=WEEKLY;BYDAI=WE\n"))[0], /unknown part "BYDAI"/);
    assert.match(problems(meeting("    rrule: BYDAY=WE\n"))[0], /FREQ is missing/);
    assert.match(problems(meeting("    rrule: FREQ=FORTNIGHTLY\n"))[0], /FREQ=FORTNIGHTLY is not valid/);
  });

  it("a YAML error names the key path and does not end on a dangling colon", () => {
    const p = problems("accounts:\n  console:\n    user: you\n    rooms: [console\nadmins: []\n");
    assert.equal(p.length >= 1, true);
    assert.match(p[0], /^c\.yaml:\d+:\d+: YAML error in accounts\.console\.rooms(\[0\])?: /, p[0]);
    for (const line of p) assert.ok(!/[:]\s*$/.test(line), `dangling colon: ${line}`);
  });

  it("a bad zone is echoed, with the closest real one", () => {
    assert.deepEqual(problems("timezones:\n  world: [UTC, Europe/Berlim]\n"), [
      'timezones.world[1]: not an IANA time zone: "Europe/Berlim" — did you mean "Europe/Berlin"?',
    ]);
    assert.match(problems("timezones:\n  default: Mars/Olympus\n")[0], /"Mars\/Olympus"/);
  });
});

describe("Matrix account modes", () => {
  const matrix = (body: string) => `accounts:\n  matrix.hs:\n    homeserver: http://127.0.0.1:8008\n${body}`;

  it("is a bot by default and then needs a token or a password", () => {
    const cfg = parseConfig(matrix("    accessToken: t\n"), {});
    assert.equal((cfg.accounts["matrix.hs"] as { mode: string }).mode, "bot");
    assert.deepEqual(problems(matrix("    rooms: []\n")), [
      "accounts.matrix.hs: give accessToken, or userId and password",
    ]);
  });

  it("takes mode: appservice with its listener, registration and defaults", () => {
    const cfg = parseConfig(
      matrix("    mode: appservice\n    appservice: { serverName: example.org, port: 9009, registration: reg.yaml }\n"),
      {},
    );
    const as = (cfg.accounts["matrix.hs"] as { appservice: Record<string, unknown> }).appservice;
    assert.deepEqual(as, {
      serverName: "example.org",
      port: 9009,
      registration: "reg.yaml",
      bindAddress: "127.0.0.1",
      id: "crier",
      userPrefix: "crier_",
      botLocalpart: "crier",
    });
  });

  it("names what appservice mode lacks or does not use", () => {
    assert.deepEqual(problems(matrix("    mode: appservice\n")), [
      "accounts.matrix.hs.appservice: mode: appservice needs appservice: { serverName, port, registration } (see README, Matrix: bot or application service)",
    ]);
    const p = problems(
      matrix(
        "    mode: appservice\n    appservice: { serverName: example.org, port: 9009, registration: r, userPrefix: Crier_ }\n",
      ),
    );
    assert.deepEqual(p, ["accounts.matrix.hs.appservice.userPrefix: lower-case letters, digits and . _ = - / only"]);
    assert.deepEqual(
      problems(
        matrix(
          "    mode: appservice\n    accessToken: t\n    appservice: { serverName: example.org, port: 9009, registration: r }\n",
        ),
      ),
      [
        "accounts.matrix.hs.accessToken: accessToken is not used in appservice mode: crier acts with the registration's as_token",
      ],
    );
  });
});
