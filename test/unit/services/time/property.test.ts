/** crier's local times agree with an independent implementation (Intl.DateTimeFormat) for random instants and zones. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DateTime } from "luxon";
import { placeWallClock } from "../../../../src/services/when.js";
import { allZones } from "../../../../src/services/zone-names.js";

const zones = allZones();
const instant = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 11, 31) });
const zone = fc.constantFrom(...zones);

function intlLocal(ms: number, z: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: z,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe("local time agrees with Intl.DateTimeFormat", () => {
  it("for 3,000 random (instant, zone) pairs", () => {
    fc.assert(
      fc.property(instant, zone, (ms, z) => {
        assert.equal(DateTime.fromMillis(ms, { zone: z }).toFormat("yyyy-LL-dd HH:mm"), intlLocal(ms, z));
      }),
      { numRuns: 3000 },
    );
  });

  it("placing a wall-clock time returns an instant whose local time is that wall clock, unless the time does not exist", () => {
    fc.assert(
      fc.property(instant, zone, (ms, z) => {
        const dt = DateTime.fromMillis(ms, { zone: z });
        const placed = placeWallClock(
          { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute },
          z,
        );
        assert.equal(placed.nonexistent, undefined);
        assert.equal(intlLocal(placed.instant, z), dt.toFormat("yyyy-LL-dd HH:mm"));
        // In an overlap the first occurrence is taken: never later than the instant we started from.
        assert.ok(placed.instant <= Math.floor(ms / 60_000) * 60_000);
      }),
      { numRuns: 2000 },
    );
  });
});
