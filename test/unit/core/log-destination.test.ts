/** Logging to a closed pipe (EPIPE) ends logging and nothing else: no throw, no hang. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

describe("fdDestination", () => {
  it("drops lines once the reader is gone instead of throwing or looping", async () => {
    // A child logs to a pipe whose reader has closed; it must finish and say how many lines it dropped.
    const script = `
      import { createLogger, fdDestination } from "./src/core/log.ts";
      const dest = fdDestination(1);
      const log = createLogger({ destination: dest });
      for (let i = 0; i < 2000; i++) log.info({ i }, "a line that nobody reads any more");
      process.stderr.write("dropped " + dest.dropped + "\\n");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    assert.equal(code, 0, err);
    const dropped = Number(/dropped (\d+)/.exec(err)?.[1]);
    assert.ok(dropped > 0, `some lines were dropped: ${err}`);
  });
});
