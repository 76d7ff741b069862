/**
 * People in the minutes, on console doubles whose native ids are not names (as on Discord and Matrix): chairs are
 * written by name, and a person with linked accounts is one person in the action items and among those present,
 * named by the name they first spoke under in the meeting.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { MessageEvent, UserRef } from "../../../../src/core/model.js";
import { makeTestApp, type TestApp, TWO_LINKED_ROOMS } from "../../../helpers/app.js";

const config = {
  ...TWO_LINKED_ROOMS,
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
      await t.consoles.get("console.b")!.waitFor((s) => s.text === "chairs: dora, ola, nobody");
      await say(t, dora, "#endmeeting");
      assert.match(minutes(t), /Chairs: dora, ola, nobody\./);
    } finally {
      await t.close();
    }
  });

  it("one person with linked accounts: their actions together whatever name they were given, present once", async () => {
    const t = await makeTestApp(config);
    try {
      const maraA = on("a", "@mara:example.org", "mara");
      const maraB = on("b", "55501", "mara_b");
      await t.app.ctx.identity.link("console:@mara:example.org", "console.b:55501");
      await say(t, maraA, "hello from a");
      await say(t, maraB, "hello from b");
      const op = on("a", "op", "op");
      await say(t, op, "#startmeeting Actions");
      await say(t, op, "#action mara write the notes");
      await say(t, on("b", "77", "bee"), "#action @mara_b book the venue");
      await say(t, op, "#action ivan renew the certificates");
      await say(t, maraB, "I will");
      await say(t, maraA, "both of them");
      await say(t, maraB, "done by Friday");
      await say(t, op, "#action Ivan check the backups");
      await say(t, op, "#endmeeting");
      const md = minutes(t);
      const part = (from: string) => md.split(from)[1].split("\n\n")[0].split("\n");
      assert.deepEqual(part("## Action items\n\n"), [
        "- mara_b: write the notes",
        "- mara_b: book the venue",
        "- ivan: renew the certificates",
        "- ivan: check the backups",
      ]);
      assert.deepEqual(part("## People present (lines said)\n\n").sort(), [
        "- bee (console.b): 1",
        "- mara_b (console.b), mara (console): 3",
        "- op (console): 5",
      ]);
      assert.match(md, /ACTION\*\*: book the venue \(mara_b\) — bee/, "the summary keeps the name each was given");
    } finally {
      await t.close();
    }
  });
});
