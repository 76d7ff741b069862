/** The README's sentence about the fall-back day says what the scheduler does: an hourly job fires 24 times. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { occurrencesBetween } from "../../../../src/services/recurrence.js";

describe("README on the fall-back day", () => {
  it("an hourly job fires once per wall-clock hour on the day the clocks go back, as the README says", () => {
    const zone = "Europe/Berlin";
    const from = DateTime.fromISO("2026-10-25T00:00", { zone }).toMillis();
    const until = DateTime.fromISO("2026-10-26T00:00", { zone }).toMillis() - 1;
    const fires = occurrencesBetween({ kind: "cron", expr: "0 * * * *", zone }, from - 1, until);
    assert.equal(until + 1 - from, 25 * 3_600_000, "the day has 25 hours");
    const readme = readFileSync("README.md", "utf8").replace(/\s+/g, " ");
    const said = /an hourly job fires (\d+) times on the day the clocks go back/.exec(readme);
    assert.ok(said, "the README states the count");
    assert.equal(Number(said[1]), fires.length);
    assert.equal(fires.length, 24);
  });
});
