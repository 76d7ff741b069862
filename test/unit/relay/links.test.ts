import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LinkConfig } from "../../../src/config/sections/links.js";
import { isIgnored, routesFrom } from "../../../src/relay/links.js";

const link = (
  name: string,
  rooms: Array<[string, string, "inout" | "in" | "out"]>,
  extra: Partial<LinkConfig> = {},
): LinkConfig => ({
  name,
  rooms: rooms.map(([account, room, direction]) => ({ account, room, direction })),
  membership: false,
  ignore: [],
  paused: false,
  ...extra,
});
const targets = (links: LinkConfig[], account: string, room: string, paused?: Set<string>) =>
  routesFrom(links, { account, room }, paused).map((r) => `${r.target.account}/${r.target.room}`);

describe("link routing", () => {
  const dirs = ["inout", "in", "out"] as const;
  for (const a of dirs) {
    for (const b of dirs) {
      it(`source ${a} → target ${b}`, () => {
        const l = link("x", [
          ["irc.n", "#a", a],
          ["matrix.m", "!b:h", b],
        ]);
        const expected = a !== "in" && b !== "out" ? ["matrix.m/!b:h"] : [];
        assert.deepEqual(targets([l], "irc.n", "#a"), expected);
      });
    }
  }

  it("never returns to the source and sends each target once across several links", () => {
    const links = [
      link("one", [
        ["irc.n", "#a", "inout"],
        ["matrix.m", "!b:h", "inout"],
        ["discord.d", "1", "inout"],
      ]),
      link("two", [
        ["irc.n", "#a", "inout"],
        ["discord.d", "1", "inout"],
        ["discord.d", "2", "in"],
      ]),
    ];
    assert.deepEqual(targets(links, "irc.n", "#a"), ["matrix.m/!b:h", "discord.d/1", "discord.d/2"]);
    assert.deepEqual(targets(links, "discord.d", "2"), []);
    assert.deepEqual(targets(links, "discord.d", "1"), ["irc.n/#a", "matrix.m/!b:h", "discord.d/2"]);
  });

  it("a room not in any link goes nowhere; a paused link relays nothing", () => {
    const links = [
      link("one", [
        ["irc.n", "#a", "inout"],
        ["matrix.m", "!b:h", "inout"],
      ]),
    ];
    assert.deepEqual(targets(links, "irc.n", "#other"), []);
    assert.deepEqual(targets(links, "irc.n", "#a", new Set(["one"])), []);
    assert.deepEqual(targets([{ ...links[0], paused: true }], "irc.n", "#a"), []);
  });

  it("a cycle of links (a↔b, b↔c, c↔a) still delivers each message once per room", () => {
    const links = [
      link("ab", [
        ["c", "a", "inout"],
        ["c", "b", "inout"],
      ]),
      link("bc", [
        ["c", "b", "inout"],
        ["c", "c", "inout"],
      ]),
      link("ca", [
        ["c", "c", "inout"],
        ["c", "a", "inout"],
      ]),
    ];
    assert.deepEqual(targets(links, "c", "a"), ["c/b", "c/c"]);
  });

  it("ignores other bridges by identity, nick pattern or display name", () => {
    const l = link(
      "x",
      [
        ["irc.n", "#a", "inout"],
        ["matrix.m", "!b:h", "inout"],
      ],
      { ignore: ["irc.n:otherbridge", "*[m]", "GitHub Bot"] },
    );
    assert.ok(isIgnored(l, { account: "irc.n", id: "otherbridge", name: "otherbridge" }));
    assert.ok(isIgnored(l, { account: "irc.n", id: "alice[m]", name: "alice[m]" }));
    assert.ok(isIgnored(l, { account: "matrix.m", id: "@gh:h", name: "github bot" }));
    assert.ok(!isIgnored(l, { account: "irc.n", id: "alice", name: "alice" }));
    assert.ok(!isIgnored(l, { account: "irc.n", id: "a.b+c", name: "a(b)" }));
  });
});
