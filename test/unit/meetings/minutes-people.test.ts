/**
 * People in the minutes, on console doubles whose native ids are not names (as on Discord and Matrix): chairs are
 * written by name, and a person with linked accounts is one person in the action items and among those present.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { MessageEvent, UserRef } from "../../../src/core/model.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";

const config = {
  accounts: { console: { user: "op", rooms: ["a"] }, "console.b": { user: "bee", rooms: ["b"] } },
  links: [
    {
      name: "devel",
      rooms: [
        { account: "console", room: "a" },
        { account: "console.b", room: "b" },
      ],
    },
  ],
};

/** Someone on side a or b, with a native id that is not their name. */
const on = (side: "a" | "b", id: string, name: string): UserRef => ({
  account: side === "a" ? "console" : "console.b",
  id,
  name,
});

let seq = 0;
async function say(t: TestApp, who: UserRef, text: string): Promise<void> {
  const event: MessageEvent = {
    kind: "message",
    id: `m${++seq}`,
    room: { account: who.account, room: who.account === "console" ? "a" : "b" },
    sender: who,
    body: [{ t: "text", text }],
    at: new Date(),
  };
  await t.app.dispatcher.handle(event);
}

function minutes(t: TestApp): string {
  const dir = join(t.stateDir, "minutes");
  return readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith(".md"))!), "utf8").replace(/\\(.)/g, "$1");
}

describe("people in the minutes", () => {
  it("chairs are written by the name they spoke under or were last seen under, never by a platform id", async () => {
    const t = await makeTestApp(config);
    try {
      const dora = on("b", "1575070175038799879", "dora");
      const ola = on("a", "@ola:example.org", "ola");
      await say(t, ola, "hello before the meeting");
      await say(t, dora, "#startmeeting Naming");
      await say(t, dora, "#chair ola nobody");
      await t.consoles.get("console.b")!.waitFor((s) => s.text === "chairs: 3");
      await say(t, dora, "#endmeeting");
      assert.match(minutes(t), /Chairs: dora, ola, nobody\./);
    } finally {
      await t.close();
    }
  });
});
