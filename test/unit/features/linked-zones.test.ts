/** A zone set on one platform serves the same person, once linked, on the others. */
import { describe, it } from "node:test";
import { FakeClock } from "../../../src/services/clock.js";
import { makeTestApp } from "../../helpers/app.js";

describe("zones follow linked identities", () => {
  it("zone set on one account is used when the linked person asks on another; codes are one-time and expire", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 10, 0));
    const t = await makeTestApp(
      {
        accounts: {
          console: { user: "op", rooms: ["a"] },
          "console.b": { user: "bee", rooms: ["b"] },
          "console.c": { user: "sea", rooms: ["c"] },
        },
      },
      { clock },
    );
    try {
      const b = t.consoles.get("console.b")!;
      const c = t.consoles.get("console.c")!;
      await t.say("!tz set Berlin", { room: "a", user: "alice" });
      await t.expectSent("your zone is now Europe/Berlin");
      await t.say("!link-identity", { room: "a", user: "alice" });
      const offer = await t.expectSent(/say "!link-identity ([A-Z0-9]{8})"/);
      const code = /!link-identity ([A-Z0-9]{8})/.exec(offer)![1];

      await t.say("!time 15:00 UTC", { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => /15:00 UTC → 15:00 UTC · /.test(s.text));
      await t.say(`!link-identity ${code}`, { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => s.text.includes("are now one person"));
      await t.say("!time 15:00 UTC", { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => s.text.includes("15:00 UTC → 15:00 UTC · 16:00 Berlin (CET)"));
      await t.say("!whoami", { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => s.text.includes("linked with console:alice; zone: Europe/Berlin"));

      // Single use: the same code cannot link a third account; a new code expires after 10 minutes.
      await t.say(`!link-identity ${code}`, { account: "console.c", room: "c", user: "mallory" });
      await c.waitFor((s) => s.text.includes("unknown or has expired"));
      await t.say("!link-identity", { room: "a", user: "alice" });
      await t.console.waitFor(() => t.console.sent.filter((x) => x.text.includes("within 10 minutes")).length === 2);
      const offers = t.console.sent.filter((x) => x.text.includes("within 10 minutes"));
      const second = /!link-identity ([A-Z0-9]{8})/.exec(offers[1].text)![1];
      clock.advance(11 * 60_000);
      await t.say(`!link-identity ${second}`, { account: "console.c", room: "c", user: "alice_c" });
      await c.waitFor(
        (s) =>
          s.text.includes("unknown or has expired") && c.sent.filter((x) => x.text.includes("expired")).length === 2,
      );

      // Unlinking from the other side gives each identity its own person again.
      await t.say("!unlink-identity", { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => s.text === "console.b:alice_b is unlinked");
      await t.say("!whoami", { account: "console.b", room: "b", user: "alice_b" });
      await b.waitFor((s) => s.text.startsWith("you are console.b:alice_b; zone: Europe/Berlin"));
    } finally {
      await t.close();
    }
  });
});

describe("auto-conversion (opt-in per room)", () => {
  it("converts a time with a zone once, ignores times without a zone and rooms that did not opt in", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 10, 0));
    const t = await makeTestApp(
      {
        accounts: { console: { user: "op", rooms: ["a", "quiet"] } },
        timezones: { autoConvert: ["console/a"], world: ["UTC", "Europe/Berlin", "America/New_York"] },
      },
      { clock },
    );
    try {
      await t.say("meeting at 15:00 UTC today", { room: "a", user: "alice" });
      await t.expectSent("Wed 25 Nov 2026 15:00 UTC → 15:00 UTC · 16:00 Berlin (CET) · 10:00 New York (EST)");
      await t.say("lunch at 12:30 then", { room: "a", user: "alice" });
      await t.say("meeting at 15:00 UTC today", { room: "quiet", user: "alice" });
      clock.advance(61_000);
      await t.say(`${"at 15:00 UTC ".repeat(2000)}`, { room: "a", user: "alice" });
      await t.say("!ping", { room: "a", user: "alice" });
      await t.expectSent("pong");
      const conversions = t.console.sent.filter((s) => s.text.includes("→"));
      if (conversions.length !== 2)
        throw new Error(`expected 2 conversions, got ${conversions.map((c) => c.text).join(" | ")}`);
      if (conversions.some((c) => c.room !== "a")) throw new Error("converted in a room that did not opt in");
    } finally {
      await t.close();
    }
  });
});
