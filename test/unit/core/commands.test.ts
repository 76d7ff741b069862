import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandRegistry, helpLines, splitArgs } from "../../../src/core/commands.js";
import type { Feature } from "../../../src/core/context.js";
import { UserError } from "../../../src/core/errors.js";
import { buildFeatures } from "../../../src/features/index.js";

const features = buildFeatures().all;
import { makeTestApp } from "../../helpers/app.js";

const noop = async () => undefined;

describe("command parsing", () => {
  const reg = new CommandRegistry("!");
  reg.add({
    name: "time",
    aliases: ["t"],
    summary: "convert",
    usage: "!time WHEN",
    examples: [],
    permission: "anyone",
    run: noop,
  });
  reg.add({
    name: "topic",
    prefix: "#",
    summary: "set topic",
    usage: "#topic TEXT",
    examples: [],
    permission: "anyone",
    run: noop,
  });
  reg.add({
    name: "info",
    prefix: "#",
    summary: "info",
    usage: "#info TEXT",
    examples: [],
    permission: "anyone",
    run: noop,
  });

  it("finds a !command with its arguments, by name or alias, case-insensitively", () => {
    assert.deepEqual(
      reg.parseMessage("!TIME 15:00 UTC").invocations.map((i) => [i.command.name, i.args]),
      [["time", "15:00 UTC"]],
    );
    assert.equal(reg.parseMessage("!t now").invocations[0].command.name, "time");
  });

  it("accepts `crier: cmd` addressing", () => {
    assert.equal(reg.parseMessage("crier: time 3pm", "crier").invocations[0].args, "3pm");
    assert.equal(reg.parseMessage("Crier, time 3pm", "crier").invocations[0].command.name, "time");
    assert.equal(reg.parseMessage("crierx: time 3pm", "crier").invocations.length, 0);
  });

  it("runs every #-command line of one message", () => {
    const inv = reg.parseMessage("#topic Release\nsome chatter\n#info freeze on Friday").invocations;
    assert.deepEqual(
      inv.map((i) => [i.command.name, i.args]),
      [
        ["topic", "Release"],
        ["info", "freeze on Friday"],
      ],
    );
  });

  it("reports an unknown !word but ignores ordinary chat", () => {
    assert.equal(reg.parseMessage("!tiem 3pm").unknown, "tiem");
    assert.equal(reg.parseMessage("hello !time").invocations.length, 0);
    assert.equal(reg.parseMessage("!!!").unknown, undefined);
  });

  it("keeps quoted phrases together", () => {
    assert.deepEqual(splitArgs(`propose "Devel meeting" 2026-12-02 'a b'`), [
      "propose",
      "Devel meeting",
      "2026-12-02",
      "a b",
    ]);
  });

  it("refuses a name declared twice", () => {
    assert.throws(
      () => reg.add({ name: "t", summary: "", usage: "", examples: [], permission: "anyone", run: noop }),
      /declared twice/,
    );
  });

  it("generates help from the declarations of every feature", () => {
    const all = new CommandRegistry("!");
    for (const f of features) for (const c of f.commands ?? []) all.add(c);
    const lines = helpLines(all.all, "!");
    assert.ok(lines.length >= 2);
    for (const c of all.all.filter((c) => !c.prefix)) {
      assert.ok(
        lines.some((l) => l.startsWith(`!${c.name} — ${c.summary}`)),
        `help lists ${c.name}`,
      );
      assert.ok(c.summary.length > 0 && c.summary.length <= 80, `${c.name} has a one-line summary`);
      assert.ok(c.examples.length > 0, `${c.name} declares at least one example`);
    }
  });
});

describe("error boundary", () => {
  const boom: Feature = {
    name: "boom",
    commands: [
      {
        name: "boom",
        summary: "throws a bug",
        usage: "!boom",
        examples: [],
        permission: "anyone",
        run: async () => {
          throw new TypeError("kaboom");
        },
      },
      {
        name: "nope",
        summary: "throws a user error",
        usage: "!nope",
        examples: [],
        permission: "anyone",
        run: async () => {
          throw new UserError("that date is in the past");
        },
      },
      {
        name: "secret",
        summary: "admins only",
        usage: "!secret",
        examples: [],
        permission: "admin",
        run: async () => "classified",
      },
    ],
    async onEvent(event) {
      if (event.kind === "message" && event.body.some((n) => n.t === "text" && n.text.includes("explode")))
        throw new Error("feature bug");
    },
  };

  it("shows a UserError's text, a bug's reference id, and keeps serving", async () => {
    const t = await makeTestApp({}, { extraFeatures: [boom] });
    try {
      await t.say("!boom");
      const answer = await t.expectSent(/something went wrong \(ref [0-9a-f]{4}\)/);
      assert.match(answer, /ref [0-9a-f]{4}/);
      await t.say("!nope");
      await t.expectSent("that date is in the past");
      await t.say("explode !ping");
      await t.say("!ping");
      await t.expectSent("pong");
    } finally {
      await t.close();
    }
  });

  it("enforces permissions from the declaration", async () => {
    const t = await makeTestApp({}, { extraFeatures: [boom] });
    try {
      await t.say("!secret", { user: "stranger" });
      await t.expectSent("only admins may use !secret");
      await t.say("!secret", { user: "op" });
      await t.expectSent("classified");
    } finally {
      await t.close();
    }
  });

  it("rate-limits one user's command flood with a single warning", async () => {
    const t = await makeTestApp({ commands: { perUserPerMinute: 5 } });
    try {
      for (let i = 0; i < 50; i++) await t.say("!ping", { user: "flood" });
      await t.expectSent("slow down");
      await new Promise((r) => setTimeout(r, 200));
      const sent = t.console.sent.map((s) => s.text);
      assert.equal(sent.filter((s) => s === "pong").length, 5);
      assert.equal(sent.filter((s) => s.startsWith("slow down")).length, 1);
    } finally {
      await t.close();
    }
  });
});
