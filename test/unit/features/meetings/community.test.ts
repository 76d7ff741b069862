/**
 * Meetings as a community uses them (issue #21), end to end on console doubles and the real web server: a proposal's
 * place, picked meetings in !next and !meetings, the world time in !meeting show, attendance closed after pick,
 * minutes attached to the meeting they were for, their content, /minutes/, help for the # commands.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FakeClock } from "../../../../src/services/clock.js";
import { makeTestApp, type TestApp, TWO_LINKED_ROOMS } from "../../../helpers/app.js";

const NOW = Date.UTC(2026, 11, 2, 12, 0); // Wed 2 Dec 2026, 13:00 in Berlin
const rooms = {
  ...TWO_LINKED_ROOMS,
  admins: ["console:op"],
  timezones: { world: ["UTC", "Europe/Berlin", "America/New_York"] },
};
const meetings = [
  {
    id: "weekly",
    title: "Weekly devel",
    start: "2026-01-07T16:00",
    zone: "Europe/Berlin",
    rrule: "FREQ=WEEKLY;BYDAY=WE",
    links: ["devel"],
    place: "#kamailio-dev",
  },
  { id: "summit", title: "Summit", start: "2027-03-01T10:00", zone: "Europe/Berlin", links: ["devel"] },
];

/** Says a line in room a and returns crier's first answer to it. */
async function ask(t: TestApp, line: string, user = "op"): Promise<string> {
  const before = t.console.sent.length;
  await t.say(line, { room: "a", user });
  return (await t.console.waitFor((s) => t.console.sent.indexOf(s) >= before)).text;
}

const webBase = (t: TestApp) => `http://127.0.0.1:${t.app.features.web.port}`;

describe("meetings as a community uses them", () => {
  it("a proposal has a place, shows the world time, closes attendance when picked, and appears in !next, the page and the ICS", async () => {
    const t = await makeTestApp(
      {
        ...rooms,
        meetings,
        http: { enabled: true, host: "127.0.0.1", port: 0, publicUrl: "http://crier.test" },
      },
      { clock: new FakeClock(NOW) },
    );
    try {
      const proposed = await ask(t, '!meeting propose "Release sync" 2026-12-02 12:30 UTC');
      const id = /\[([a-z0-9]{5})\]/.exec(proposed)![1];
      assert.match(proposed, /^proposed "Release sync" \[\w{5}\] in a \(console\), option 1: Wed 2 Dec 2026 12:30 UTC/);
      await ask(t, `!meeting alt ${id} 2026-12-03 15:00 UTC`);
      await ask(t, `!attend ${id} 2`, "ann");
      const shown = await ask(t, `!meeting show ${id}`, "ann");
      assert.match(
        shown,
        /in a \(console\): 1\) .*nobody yet · 2\) .*1 — ann — across the world \(option 2\): 15:00 UTC · 16:00 Berlin \(CET\) · 10:00 New York \(EST\)$/,
        shown,
      );
      const picked = await ask(t, `!meeting pick ${id} 1`);
      assert.match(
        picked,
        /is on Wed 2 Dec 2026 12:30 UTC in a \(console\) — 12:30 UTC · 13:30 Berlin \(CET\)/,
        picked,
      );
      assert.ok(!picked.includes("UTC (UTC)"), picked);
      const late = await ask(t, `!attend ${id}`, "bob");
      assert.match(late, /already set for option 1; attendance is closed/);

      const next = await ask(t, "!next", "ann");
      assert.match(next, /^Release sync starts Wed 2 Dec 2026 12:30 UTC .* — a \(console\)$/, next);
      const list = await ask(t, "!meetings", "ann");
      assert.match(
        list,
        /^Release sync: Wed 2 Dec 2026 12:30 UTC \(in 30 minutes\) in a \(console\) · Weekly devel: /,
        list,
      );

      const page = await (await fetch(`${webBase(t)}/meetings/${id}`)).text();
      assert.match(page, /<title>Release sync<\/title>/);
      assert.match(page, /Where: a \(console\)/);
      const ics = await (await fetch(`${webBase(t)}/meetings/${id}.ics`)).text();
      assert.match(ics, /^LOCATION:a \(console\)\r$/m);
      assert.match(ics, /^URL(;VALUE=URI)?:http:\/\/crier\.test\/meetings\/\w{5}\r$/m);
    } finally {
      await t.close();
    }
  });

  it("minutes go to the meeting they were for only, with agenda, link, the #startmeeting line and real links; /minutes/ lists them", async () => {
    const t = await makeTestApp(
      {
        ...rooms,
        meetings,
        http: { enabled: true, host: "127.0.0.1", port: 0, publicUrl: "http://crier.test" },
      },
      { clock: new FakeClock(NOW) },
    );
    try {
      const id = /\[([a-z0-9]{5})\]/.exec(await ask(t, '!meeting propose "Release sync" 2026-12-02 12:30 UTC'))![1];
      await ask(t, `!meeting pick ${id} 1`);
      await ask(t, "!agenda add Release plan for 6.0 (henning)");
      await t.say("#startmeeting Release sync", { room: "a", user: "op" });
      await t.expectSent('meeting "Release sync" started by op');
      await t.say("#topic Release plan", { room: "a", user: "op" });
      await t.say("#link https://www.kamailio.org/w/2026/12/plan/ the plan", { room: "a", user: "op" });
      await t.say("+1 (console) #not-a-heading", { account: "console.b", room: "b", user: "bee" });
      await t.say("#chair bee", { room: "a", user: "op" });
      assert.equal(await t.expectSent(/^chairs: /), "chairs: op, bee");
      await t.say("#endmeeting", { room: "a", user: "op" });
      const ended = await t.expectSent("ended by op; minutes:");
      const stem = /\/minutes\/([\w-]+)\.html$/.exec(ended)![1];

      const md = readFileSync(join(t.stateDir, "minutes", `${stem}.md`), "utf8");
      assert.match(md, /^Meeting: \[Release sync\]\(<http:\/\/crier\.test\/meetings\/\w{5}>\)$/m);
      assert.match(md, /^## Agenda\n\n1\. Release plan for 6\.0 \(henning\)$/m);
      assert.match(md, /\[console\] op: #startmeeting Release sync$/m, "the #startmeeting line is in the log");
      assert.match(md, /\[console\.b\] bee: \+1 \(console\) #not-a-heading$/m, "no \\# \\+ \\( escapes");
      assert.match(md, /LINK\*\*: <https:\/\/www\.kamailio\.org\/w\/2026\/12\/plan\/> the plan/);
      assert.ok(!/\\[#+()]/.test(md), md);
      const html = readFileSync(join(t.stateDir, "minutes", `${stem}.html`), "utf8");
      assert.match(html, /<a href="https:\/\/www\.kamailio\.org\/w\/2026\/12\/plan\/" rel="nofollow noopener">/);
      assert.match(html, /<h2>Agenda<\/h2><ol><li>Release plan for 6\.0/);

      const pageOf = async (m: string) => (await fetch(`${webBase(t)}/meetings/${m}`)).text();
      assert.match(await pageOf(id), new RegExp(`<a href="/minutes/${stem}\\.html">Release sync — 2 Dec 2026</a>`));
      for (const other of ["weekly", "summit"]) assert.ok(!(await pageOf(other)).includes(stem), other);
      const index = await fetch(`${webBase(t)}/minutes/`);
      assert.equal(index.status, 200);
      const indexHtml = await index.text();
      assert.match(indexHtml, /<title>Minutes<\/title>/);
      assert.match(
        indexHtml,
        new RegExp(`href="/minutes/${stem}\\.html">Release sync — 2 Dec 2026</a> \\(<a href="/meetings/${id}">`),
      );
    } finally {
      await t.close();
    }
  });

  it("without the web server, the end-of-meeting reply names the file's full path", async () => {
    const t = await makeTestApp(rooms);
    try {
      await t.say("#startmeeting Quick one", { room: "a", user: "op" });
      await t.say("#endmeeting", { room: "a", user: "op" });
      const ended = await t.expectSent("ended by op; minutes:");
      const path = /minutes: (\S+)$/.exec(ended)![1];
      assert.ok(path.startsWith(join(t.stateDir, "minutes")), ended);
      assert.ok(existsSync(path), `${path} exists`);
      assert.deepEqual(readdirSync(join(t.stateDir, "minutes")).length, 2);
    } finally {
      await t.close();
    }
  });

  it("!help lists the # commands and !help startmeeting explains one", async () => {
    const t = await makeTestApp(rooms);
    try {
      const help = await ask(t, "!help", "ann");
      assert.match(help, /during a meeting: #startmeeting .*#topic .*#action .*#endmeeting/);
      const one = await ask(t, "!help startmeeting", "ann");
      assert.match(
        one,
        /^start taking minutes .*Usage: #startmeeting \[meeting id or title\]\. Example: #startmeeting Devel meeting$/,
      );
      assert.match(await ask(t, "!help #action", "ann"), /Example: #action henning prepare the release notes/);
      assert.match(await ask(t, "!help attend", "ann"), /Example: !attend$/);
    } finally {
      await t.close();
    }
  });
});
