/** Builds a real App (SQLite store in a temp dir) with in-process console adapters, for feature tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import type { Feature } from "../../src/core/context.js";
import type { MessageEvent } from "../../src/core/model.js";
import { createLogger } from "../../src/core/log.js";
import type { Clock } from "../../src/services/clock.js";
import { stringify } from "yaml";
import { RecordingConsole } from "./console.js";

/** The config most app tests start from: two console accounts whose rooms `a` and `b` are linked as "devel". */
export const TWO_LINKED_ROOMS = {
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

export interface TestApp {
  app: App;
  /** Console adapters by account name (`console`, `console.b`, …). */
  consoles: Map<string, RecordingConsole>;
  console: RecordingConsole;
  stateDir: string;
  /** Types a line as `user` and waits until every feature and command has handled it. */
  say(
    text: string,
    opts?: { user?: string; room?: string; account?: string; isPrivate?: boolean },
  ): Promise<MessageEvent>;
  /** Waits for crier to send a message whose text matches. */
  expectSent(match: string | RegExp, opts?: { account?: string; ms?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function makeTestApp(
  yamlConfig: Record<string, unknown> = {},
  opts: { clock?: Clock; extraFeatures?: Feature[]; stateDir?: string } = {},
): Promise<TestApp> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "crier-test-"));
  const config = parseConfig(
    stringify({ accounts: { console: { user: "op", rooms: ["console", "other"] } }, ...yamlConfig }),
    {},
  );
  const consoles = new Map<string, RecordingConsole>();
  const log = createLogger({ level: process.env.CRIER_TEST_LOG ?? "silent" });
  const app = await App.create({
    config,
    log,
    stateDir,
    clock: opts.clock,
    extraFeatures: opts.extraFeatures,
    makeAdapter: (account, cfg) => {
      if (!account.startsWith("console")) return undefined;
      const a = new RecordingConsole(account, cfg as never);
      consoles.set(account, a);
      return a;
    },
  });
  await app.start();
  const first = consoles.get("console")!;
  return {
    app,
    consoles,
    console: first,
    stateDir,
    async say(text, o = {}) {
      const c = consoles.get(o.account ?? "console")!;
      const event: MessageEvent = {
        kind: "message" as const,
        id: `t${Math.random().toString(36).slice(2)}`,
        room: { account: c.account, room: o.room ?? c.rooms()[0] },
        sender: c.user(o.user ?? "op"),
        body: [{ t: "text" as const, text }],
        at: new Date(),
        isPrivate: o.isPrivate,
      };
      await app.dispatcher.handle(event);
      return event;
    },
    async expectSent(match, o = {}) {
      const c = consoles.get(o.account ?? "console")!;
      const hit = await c.waitFor(
        (s) => (typeof match === "string" ? s.text.includes(match) : match.test(s.text)),
        o.ms ?? 5000,
      );
      return hit.text;
    },
    async close() {
      await app.stop();
      if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
