import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

const crierTime = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/crier.js", "time", ...args], { encoding: "utf8" });

describe("crier time", () => {
  it("prints the seed's table", () => {
    const r = crierTime("2015-02-11 15:00", "--from", "UTC", "--to", "Europe/Berlin,Europe/London,America/New_York");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      "Europe/Berlin     Wed 2015-02-11 16:00 CET (+01:00)",
      "Europe/London     Wed 2015-02-11 15:00 GMT (+00:00)",
      "America/New_York  Wed 2015-02-11 10:00 EST (-05:00)",
    ]);
  });

  it("answers in JSON, with candidates for an ambiguous time and relative input against --now", () => {
    const amb = JSON.parse(crierTime("2026-10-25 02:30", "--from", "Europe/Berlin", "--json").stdout);
    assert.equal(amb.ambiguous, true);
    assert.deepEqual(amb.candidates, ["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]);
    assert.deepEqual(amb.zones[0], {
      zone: "Europe/Berlin",
      local: "2026-10-25T02:30:00",
      offset: "+02:00",
      abbreviation: "CEST",
    });
    const gap = JSON.parse(crierTime("2026-03-29 02:30", "--from", "Europe/Berlin", "--json").stdout);
    assert.equal(gap.nonexistent, true);
    assert.equal(gap.instant, "2026-03-29T01:30:00.000Z");
    const rel = JSON.parse(
      crierTime("in 2h", "--now", "2026-01-01T10:00:00Z", "--to", "Asia/Kathmandu", "--json").stdout,
    );
    assert.equal(rel.instant, "2026-01-01T12:00:00.000Z");
    assert.equal(rel.zones[0].local, "2026-01-01T17:45:00");
  });

  it("exits 2 with a message on input it cannot read", () => {
    const r = crierTime("gibberish");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /could not find a time/);
    assert.equal(crierTime("15:00", "--from", "CST").status, 2);
  });
});
