/** The cases every converter gets wrong (shared/time-pitfalls.md). Run under several host TZ values by the test script. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWhen } from "../../../../src/services/when.js";
import { formatWorld } from "../../../../src/services/world-time.js";
import { resolveZoneName } from "../../../../src/services/zone-names.js";

const NOW = Date.UTC(2026, 10, 25, 10, 0); // Wed 25 Nov 2026 10:00 UTC
const at = (text: string, zone = "UTC", forward = false) => parseWhen(text, { zone, now: NOW, forward });
const iso = (ms: number) => new Date(ms).toISOString().replace(".000", "");

describe(`reading times (tz database ${process.versions.tz}, host TZ ${process.env.TZ ?? "unset"})`, () => {
  it("the seed's table: 2015-02-11 15:00 UTC = 16:00 Berlin = 15:00 London = 10:00 New York", () => {
    const r = at("2015-02-11 15:00 UTC");
    assert.equal(iso(r.instant), "2015-02-11T15:00:00Z");
    assert.equal(r.echo, "Wed 11 Feb 2015 15:00 UTC");
    assert.equal(
      formatWorld(r.instant, ["Europe/Berlin", "Europe/London", "America/New_York"]),
      "16:00 Berlin = 15:00 London = 10:00 New York",
    );
  });

  it("US and EU change on different weeks (2026: 8–29 March, 25 October–1 November)", () => {
    const zones = ["Europe/Berlin", "America/New_York"];
    assert.equal(formatWorld(at("2026-03-04 15:00 UTC").instant, zones), "16:00 Berlin = 10:00 New York");
    assert.equal(formatWorld(at("2026-03-18 15:00 UTC").instant, zones), "16:00 Berlin = 11:00 New York");
    assert.equal(formatWorld(at("2026-04-01 15:00 UTC").instant, zones), "17:00 Berlin = 11:00 New York");
    assert.equal(formatWorld(at("2026-10-28 15:00 UTC").instant, zones), "16:00 Berlin = 11:00 New York");
    assert.equal(formatWorld(at("2026-11-04 15:00 UTC").instant, zones), "16:00 Berlin = 10:00 New York");
  });

  it("spring-forward gap: takes the offset before the gap and says so", () => {
    const berlin = at("2026-03-29 02:30 Europe/Berlin");
    assert.equal(iso(berlin.instant), "2026-03-29T01:30:00Z");
    assert.ok(berlin.nonexistent);
    assert.match(berlin.notes.join(), /02:30 does not exist on 29 Mar 2026 in Europe\/Berlin.*03:30 CEST/);
    const ny = at("2026-03-08 02:30 America/New_York");
    assert.equal(iso(ny.instant), "2026-03-08T07:30:00Z");
    assert.ok(ny.nonexistent);
  });

  it("fall-back overlap: the first occurrence, with both candidates", () => {
    const berlin = at("2026-10-25 02:30 Europe/Berlin");
    assert.equal(iso(berlin.instant), "2026-10-25T00:30:00Z");
    assert.deepEqual(berlin.ambiguous?.candidates.map(iso), ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"]);
    const ny = at("2026-11-01 01:30 America/New_York");
    assert.deepEqual(ny.ambiguous?.candidates.map(iso), ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"]);
  });

  it("unusual zones: Lord Howe (30-min DST), Chatham, Kathmandu, Kolkata, Kiritimati", () => {
    assert.equal(formatWorld(Date.UTC(2026, 0, 15, 0, 0), ["Australia/Lord_Howe"]), "11:00 Lord Howe");
    assert.equal(formatWorld(Date.UTC(2026, 6, 15, 0, 0), ["Australia/Lord_Howe"]), "10:30 Lord Howe");
    assert.equal(formatWorld(Date.UTC(2026, 0, 15, 0, 0), ["Pacific/Chatham"]), "13:45 Chatham");
    assert.equal(formatWorld(Date.UTC(2026, 6, 15, 0, 0), ["Pacific/Chatham"]), "12:45 Chatham");
    assert.equal(
      formatWorld(Date.UTC(2026, 6, 15, 0, 0), ["Asia/Kathmandu", "Asia/Kolkata", "Pacific/Kiritimati"]),
      "05:45 Kathmandu = 05:30 Kolkata = 14:00 Kiritimati",
    );
    assert.equal(iso(at("2026-07-15 10:00 Asia/Kathmandu").instant), "2026-07-15T04:15:00Z");
  });

  it("southern hemisphere: Sydney and Santiago are in summer time in January", () => {
    assert.equal(iso(at("2026-01-15 12:00 Australia/Sydney").instant), "2026-01-15T01:00:00Z");
    assert.equal(iso(at("2026-07-15 12:00 Australia/Sydney").instant), "2026-07-15T02:00:00Z");
    assert.equal(iso(at("2026-01-15 12:00 America/Santiago").instant), "2026-01-15T15:00:00Z");
  });

  it("Apia skipped 30 December 2011 entirely; Havana's days can start at 01:00", () => {
    const apia = at("2011-12-30 12:00 Pacific/Apia");
    assert.ok(apia.nonexistent);
    assert.match(apia.notes.join(), /does not exist on 30 Dec 2011/);
    assert.equal(iso(at("2011-12-29 12:00 Pacific/Apia").instant), "2011-12-29T22:00:00Z");
    const havana = at("2026-03-08 00:30 America/Havana");
    assert.ok(havana.nonexistent, "midnight does not exist on Havana's spring-forward day");
  });

  it("rules that changed: Mexico City has no DST since 2022, São Paulo since 2019", () => {
    assert.equal(iso(at("2026-07-01 12:00 America/Mexico_City").instant), "2026-07-01T18:00:00Z");
    assert.equal(iso(at("2021-07-01 12:00 America/Mexico_City").instant), "2021-07-01T17:00:00Z");
    assert.equal(iso(at("2026-01-15 12:00 America/Sao_Paulo").instant), "2026-01-15T15:00:00Z");
    assert.equal(iso(at("2018-01-15 12:00 America/Sao_Paulo").instant), "2018-01-15T14:00:00Z");
  });

  it("abbreviations: read as written, with what was assumed", () => {
    const pstInJuly = at("2026-07-01 3pm PST");
    assert.equal(iso(pstInJuly.instant), "2026-07-01T23:00:00Z");
    assert.match(
      pstInJuly.notes.join(),
      /PST read as US Pacific \(standard\).*Los Angeles is at UTC−07:00 on that date/,
    );
    assert.match(at("2026-07-01 15:00 IST").notes.join(), /India.*also mean Irish summer.*Israel/);
    assert.match(at("2026-07-01 15:00 CST").notes.join(), /US Central.*China/);
    const bst = resolveZoneName("BST");
    assert.equal(bst?.kind, "ambiguous");
    const est = resolveZoneName("EST");
    assert.ok(
      est?.kind === "ambiguous" &&
        est.candidates.some((c) => c.zone === "America/New_York") &&
        est.candidates.some((c) => c.zone === "Etc/GMT+5"),
    );
  });

  it("Etc/GMT-3 means +03:00; UTC+3 becomes Etc/GMT-3 with a no-DST note", () => {
    assert.equal(iso(at("2026-07-01 12:00 Etc/GMT-3").instant), "2026-07-01T09:00:00Z");
    const r = resolveZoneName("UTC+3");
    assert.ok(r?.kind === "zone" && r.zone === "Etc/GMT-3" && /daylight saving/.test(r.note ?? ""));
  });

  it("cities by name, accents and case ignored", () => {
    for (const [input, zone] of [
      ["Berlin", "Europe/Berlin"],
      ["new york", "America/New_York"],
      ["São Paulo", "America/Sao_Paulo"],
      ["sao paulo", "America/Sao_Paulo"],
      ["Tokyo", "Asia/Tokyo"],
      ["Mumbai", "Asia/Kolkata"],
    ]) {
      const r = resolveZoneName(input);
      assert.ok(r?.kind === "zone" && r.zone === zone, `${input} → ${JSON.stringify(r)}`);
    }
    assert.equal(iso(at("3pm Berlin", "UTC").instant), "2026-11-25T14:00:00Z");
    assert.equal(iso(at("tomorrow 9:30 in Tokyo", "UTC").instant), "2026-11-26T00:30:00Z");
  });

  it("relative times and the rest of the text (for reminders)", () => {
    const r = at("in 2h 30m water the plants", "Europe/Berlin", true);
    assert.equal(r.instant, NOW + 2.5 * 3_600_000);
    assert.equal(r.rest, "water the plants");
    const t = at("at 09:00 standup", "Europe/Berlin", true);
    assert.equal(iso(t.instant), "2026-11-26T08:00:00Z", "09:00 Berlin already passed today, so tomorrow");
    assert.equal(t.rest, "standup");
  });

  it("far dates: a clear error before 1970 or after 9999, a right answer in 2038 and 9999", () => {
    assert.throws(() => at("1960-01-01 10:00 UTC"), /out of range/);
    assert.equal(iso(at("2038-01-19 03:14 UTC").instant), "2038-01-19T03:14:00Z");
    assert.equal(iso(at("9999-12-31 10:00 UTC").instant), "9999-12-31T10:00:00Z");
    assert.throws(() => at("in 999999 weeks"), /after the year 9999/);
  });

  it("unreadable input is a user error", () => {
    assert.throws(() => at("gibberish"), /could not find a time/);
    assert.throws(() => at(""), /give a time/);
    assert.throws(() => at("x".repeat(400)), /too long/);
    assert.throws(() => at("12:00 Mars/Olympus"), /not a time zone I know/);
  });
});
