/** Zone labels: a fixed offset is shown as `UTC+2`/`UTC−8`, never as the POSIX-inverted `Etc/GMT…` name. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localLine, zonesLine } from "../../../../src/services/timezones.js";
import { abbreviation, offsetLabel, zoneLabel, zoneName } from "../../../../src/services/world-time.js";
import { makeTestApp } from "../../../helpers/app.js";

const JULY = Date.UTC(2026, 6, 1, 12, 0);

describe("zone labels", () => {
  it("offsets read UTC+2, UTC−8 (a real minus), UTC+5:45", () => {
    assert.equal(offsetLabel(120), "UTC+2");
    assert.equal(offsetLabel(-480), "UTC−8");
    assert.equal(offsetLabel(345), "UTC+5:45");
    assert.equal(offsetLabel(0), "UTC");
  });

  it("Etc/GMT+8 is UTC−8 and Etc/GMT-2 is UTC+2 in every label", () => {
    assert.equal(zoneLabel("Etc/GMT+8"), "UTC−8");
    assert.equal(zoneLabel("Etc/GMT-2"), "UTC+2");
    assert.equal(zoneLabel("UTC+05:30"), "UTC+5:30");
    assert.equal(zoneLabel("Etc/UTC"), "UTC");
    assert.equal(zoneLabel("America/New_York"), "New York");
    assert.equal(abbreviation(JULY, "Etc/GMT+8"), "UTC−8");
    assert.equal(zoneName("Etc/GMT-2"), "UTC+2");
    assert.equal(zoneName("Europe/Berlin"), "Europe/Berlin");
    for (const z of ["Etc/GMT+8", "Etc/GMT-2", "Etc/GMT+12", "Etc/GMT-14"]) {
      const line = `${zonesLine(JULY, [z])} ${localLine(JULY, z, true)}`;
      assert.ok(!/GMT/.test(line), line);
    }
  });

  it("a label is not repeated as its own abbreviation: 15:00 UTC, not 15:00 UTC (UTC)", () => {
    assert.equal(zonesLine(Date.UTC(2026, 11, 2, 15), ["UTC", "Europe/Berlin"]), "15:00 UTC · 16:00 Berlin (CET)");
    assert.equal(localLine(JULY, "Etc/GMT-2"), "14:00 UTC+2");
    assert.equal(localLine(JULY, "Europe/Berlin"), "14:00 CEST (UTC+2)");
  });

  it("!time 3pm PST and !tz set UTC+2 never say GMT", async () => {
    const t = await makeTestApp({ timezones: { world: ["UTC", "Europe/Berlin"] } });
    try {
      await t.say("!time 2026-12-02 3pm PST", { user: "ann" });
      const time = await t.expectSent("→");
      assert.match(time, /15:00 UTC−8 → 15:00 UTC−8 · 23:00 UTC · Thu 00:00 Berlin \(CET\)/, time);
      assert.ok(!/GMT/.test(time), time);
      await t.say("!tz set UTC+2", { user: "ann" });
      const set = await t.expectSent("your zone is now");
      assert.match(set, /^your zone is now UTC\+2: \d\d:\d\d UTC\+2 — note/, set);
      await t.say("!time 2026-12-02 15:00", { user: "ann" });
      const mine = await t.expectSent("→ 15:00 UTC+2");
      assert.ok(!/GMT/.test(mine), mine);
    } finally {
      await t.close();
    }
  });
});
