/** Meetings end to end on console doubles: proposals, attendance, agendas, minutes across a link. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp, TWO_LINKED_ROOMS } from "../../../helpers/app.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const config = {
  ...TWO_LINKED_ROOMS,
  admins: ["console:op"],
  timezones: { world: ["UTC", "Europe/Berlin", "America/New_York"] },
};

describe("meetings", () => {
  it("proposal, alternatives, attendance counted once per linked person, pick schedules reminders", async () => {
    const clock = new FakeClock(NOW);
    const t = await makeTestApp(config, { clock });
    try {
      const b = t.consoles.get("console.b")!;
      await t.say('!meeting propose "Devel meeting" 2026-12-02 15:00 UTC', { room: "a", user: "op" });
      const id = /\[([a-z0-9]{5})\]/.exec(await t.expectSent("proposed"))![1];
      await t.say(`!meeting alt ${id} 2026-12-03 15:00 UTC`, { account: "console.b", room: "b", user: "carol" });
      await b.waitFor((s) => s.text.startsWith("option 2"));
      await t.app.ctx.identity.link("console:dave", "console.b:dave_b");
      await t.say(`!attend ${id}`, { room: "a", user: "dave" });
      await t.say(`!attend ${id}`, { account: "console.b", room: "b", user: "dave_b" });
      await t.say(`!attend ${id} 2`, { account: "console.b", room: "b", user: "carol" });
      const before = t.console.sent.length;
      await t.say(`!meeting show ${id}`, { room: "a", user: "alice" });
      const shown = (
        await t.console.waitFor((s) => t.console.sent.indexOf(s) >= before && s.text.startsWith('"Devel meeting" ['))
      ).text;
      assert.match(
        shown,
        /1\) Wed 2 Dec 2026 15:00 UTC: 1 — dave_b/,
        `dave counted once, by his chosen name: ${shown}`,
      );
      assert.match(shown, /2\) Thu 3 Dec 2026 15:00 UTC: 1 — carol/);
      await t.say(`!meeting pick ${id} 1`, { account: "console.b", room: "b", user: "carol" });
      await b.waitFor((s) => s.text === "only admins and organisers may pick the time");
      await t.say(`!meeting pick ${id} 1`, { room: "a", user: "op" });
      await t.expectSent(/"Devel meeting" is on Wed 2 Dec 2026 15:00 UTC — 15:00 Berlin|15:00 UTC/);
      const sched = t.app.features.schedules.scheduler;
      const reminder = await sched.get(`meeting:${id}:1h`);
      assert.equal(reminder?.nextAt, Date.UTC(2026, 11, 2, 14, 0));
      assert.deepEqual(
        reminder?.targets.map((r) => `${r.account}/${r.room}`),
        ["console/a", "console.b/b"],
      );
      // The reminder goes out on both sides of the link an hour before.
      clock.set(Date.UTC(2026, 11, 2, 14, 0));
      sched.wake();
      await t.console.waitFor((s) =>
        s.text.startsWith("Devel meeting starts in 1 hour — 15:00 UTC = 16:00 Berlin = 10:00 New York"),
      );
      await b.waitFor((s) => s.text.startsWith("Devel meeting starts in 1 hour"));
    } finally {
      await t.close();
    }
  });

  it("agenda with owners, reordering, and markup kept as text", async () => {
    const t = await makeTestApp({
      ...config,
      meetings: [
        {
          id: "devel",
          title: "Devel",
          start: "2026-12-02T16:00",
          zone: "Europe/Berlin",
          agenda: [{ text: "Release plan", owner: "henning" }],
        },
      ],
    });
    try {
      await t.say("hello", { room: "a", user: "miconda" });
      await t.say("!agenda add devel <script>alert(1)</script> review (miconda)", { room: "a", user: "alice" });
      await t.expectSent("added as item 2 of devel");
      await t.say("!agenda move devel 2 1", { room: "a", user: "alice" });
      await t.expectSent("agenda of devel: 1. <script>alert(1)</script> review (miconda); 2. Release plan (henning)");
      await t.say("!agenda remove devel 1", { room: "a", user: "alice" });
      await t.expectSent('removed "<script>alert(1)</script> review"');
    } finally {
      await t.close();
    }
  });

  it("minutes from two platforms at once: topics, actions, votes, #undo, chairs; written as Markdown and HTML", async () => {
    const t = await makeTestApp(config);
    try {
      const b = t.consoles.get("console.b")!;
      await t.say("#startmeeting Devel meeting", { room: "a", user: "henning" });
      await b.waitFor((s) => s.text.startsWith('meeting "Devel meeting" started by henning'));
      await t.say("#topic Release 6.0\n#info freeze on Friday\n#idea nightly builds", { room: "a", user: "henning" });
      await t.say("#action <b>miconda</b> prepare the <script>tarball</script>", {
        account: "console.b",
        room: "b",
        user: "<script>x</script>",
      });
      await t.say("#agreed ship on the 15th", { account: "console.b", room: "b", user: "carol" });
      await b.waitFor((s) => s.text === "only the meeting's chairs may do that");
      await t.say("#chair carol", { room: "a", user: "henning" });
      await t.expectSent("chairs: henning, carol");
      await t.say("#agreed ship on the 15th", { account: "console.b", room: "b", user: "carol" });
      await b.waitFor((s) => s.text === "agreed: ship on the 15th");
      await t.say("#info a mistake", { room: "a", user: "henning" });
      await t.say("#undo", { room: "a", user: "henning" });
      await t.expectSent("removed info: a mistake");
      await t.say("#vote release on Friday?", { room: "a", user: "henning" });
      await t.say("+1", { room: "a", user: "henning" });
      await t.say("-1", { account: "console.b", room: "b", user: "carol" });
      await t.say("#endvote", { room: "a", user: "henning" });
      await t.expectSent("vote closed — release on Friday?: +1 ×1, -1 ×1, +0 ×0");
      await t.say("#endmeeting", { account: "console.b", room: "b", user: "mallory" });
      await b.waitFor((s) => s.text === "only the meeting's chairs may do that");
      await t.say("#endmeeting", { account: "console.b", room: "b", user: "carol" });
      await t.console.waitFor((s) => s.text.startsWith('meeting "Devel meeting" ended by carol; minutes:'));
      await b.waitFor((s) => s.text.startsWith('meeting "Devel meeting" ended by carol'));

      const dir = join(t.stateDir, "minutes");
      const files = readdirSync(dir).sort();
      assert.equal(files.length, 2);
      const md = readFileSync(join(dir, files.find((f) => f.endsWith(".md"))!), "utf8");
      const html = readFileSync(join(dir, files.find((f) => f.endsWith(".html"))!), "utf8");
      assert.match(md, /### Release 6\.0/);
      assert.match(md, /INFO\*\*: freeze on Friday/);
      assert.match(md, /AGREED\*\*: ship on the 15th/);
      assert.ok(!md.split("## Action items")[0].includes("a mistake"), "#undo removed it from the summary");
      assert.match(md, /VOTE\*\*: release on Friday\?: \+1 ×1, -1 ×1/);
      assert.match(md, /## Action items\n\n- \\<b\\>miconda\\<\/b\\>: prepare the \\<script\\>tarball\\<\/script\\>/);
      assert.match(md, /\[console\.b\] carol: -1/, "lines from both platforms in the log");
      assert.match(md, /\[console\] henning: \+1/);
      assert.ok(!html.includes("<script>"), "no markup from chat survives into the HTML");
      assert.match(html, /&lt;script&gt;tarball&lt;\/script&gt;/);
      assert.match(html, /henning \(console\): \d+/);
    } finally {
      await t.close();
    }
  });
});
