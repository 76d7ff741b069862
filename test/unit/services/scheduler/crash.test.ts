/**
 * crier killed with SIGKILL at random points while 200 reminders come due, then restarted until all are out:
 * every occurrence is fired once (one idempotency key) and delivered. A key sent twice across a crash (sent, then
 * killed before it was marked sent) is what the platforms' own dedupe absorbs — Matrix transaction ids, Discord
 * nonces — so the count that matters is distinct keys, and each reminder must have exactly one.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

function runChild(stateDir: string, out: string, startAt: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/scheduler-child.ts", stateDir, out, String(startAt)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      if (String(d).includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, ready, exited };
}

const delivered = (out: string) =>
  existsSync(out)
    ? readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; text: string })
    : [];

describe("crash safety of the schedule engine", () => {
  it("200 due reminders, SIGKILL at random points: each fired once and delivered", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "crier-crash-"));
    const out = join(stateDir, "delivered.jsonl");
    const startAt = Date.now() + 1500;
    let kills = 0;
    for (; kills < 4; kills++) {
      const c = runChild(stateDir, out, startAt);
      await c.ready;
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      c.child.kill("SIGKILL");
      await c.exited;
    }
    const last = runChild(stateDir, out, startAt);
    await last.ready;
    // Reminders that became late while crier was down go out paced (one a second), so allow for all 200 of them.
    const deadline = Date.now() + 240_000;
    while (new Set(delivered(out).map((d) => d.key)).size < 200 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    last.child.kill("SIGTERM");
    await last.exited;

    const rows = delivered(out);
    const keys = new Set(rows.map((r) => r.key));
    const perReminder = new Map<string, Set<string>>();
    for (const r of rows) {
      const id = r.key.slice(0, r.key.indexOf("@"));
      if (!perReminder.has(id)) perReminder.set(id, new Set());
      perReminder.get(id)!.add(r.key);
    }
    const resent = rows.length - keys.size;
    console.log(
      `crash test: ${kills} kills, ${rows.length} sends, ${keys.size} distinct, ${resent} re-sent with the same key`,
    );
    assert.equal(perReminder.size, 200, "every reminder delivered");
    for (const [id, k] of perReminder) assert.equal(k.size, 1, `${id} fired once`);
    assert.ok(resent <= kills, "at most the one in-flight send per crash is repeated (same key)");
  });
});
