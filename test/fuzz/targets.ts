/**
 * Fuzz targets: every parser and encoder that sees text from strangers, each with the invariant it must keep for
 * any input. The quick run (a test) and the long run (`npm run fuzz -- --runs N`) share these.
 */
import fc from "fast-check";
import { parseConfig } from "../../src/config/load.js";
import { CommandRegistry, splitArgs } from "../../src/core/commands.js";
import { ConfigError } from "../../src/core/errors.js";
import { fromPlain, normalize, toPlain } from "../../src/core/richtext.js";
import { prefixBytes } from "../../src/adapters/irc/encoder.js";
import { parseIrc } from "../../src/adapters/irc/format.js";
import { renderIrcMessage } from "../../src/adapters/irc/render.js";
import { UserError } from "../../src/core/errors.js";
import { parseFeed } from "../../src/features/advisories/feed.js";
import { XMLParser } from "fast-xml-parser";
import { parseOsvDocument } from "../../src/features/advisories/osv.js";
import { buildFeatures } from "../../src/features/index.js";

const features = buildFeatures().all;
import { parseWhen } from "../../src/services/when.js";
import { hostileText } from "./hostile-text.js";
import { platformTargets } from "./platform-targets.js";

export interface FuzzTarget {
  name: string;
  arbitrary: fc.Arbitrary<unknown>;
  /** Throws (or returns a message) when the invariant is broken. */
  check(input: unknown): void | Promise<void>;
}

export { hostileText };

const allCommands = new CommandRegistry("!");
for (const f of features) for (const c of f.commands ?? []) allCommands.add(c);

export const coreTargets: FuzzTarget[] = [
  {
    name: "rich text from plain text",
    arbitrary: hostileText,
    check(input) {
      const s = input as string;
      const rt = normalize(fromPlain(s));
      const back = toPlain(rt);
      if (back !== s.replace(/\r\n|\r/g, "\n")) throw new Error("plain text did not round-trip");
    },
  },
  {
    name: "command parser",
    arbitrary: fc.tuple(hostileText, fc.constantFrom("!", "#", "crier: ", "")).map(([t, p]) => p + t),
    check(input) {
      const r = allCommands.parseMessage(input as string, "crier");
      for (const inv of r.invocations) if (typeof inv.args !== "string") throw new Error("args must be text");
      splitArgs(input as string);
    },
  },
  {
    name: "command argument parsers",
    arbitrary: fc.tuple(fc.nat(), hostileText),
    check(input) {
      const [i, text] = input as [number, string];
      const cmds = allCommands.all.filter((c) => c.parse);
      if (!cmds.length) return;
      const cmd = cmds[i % cmds.length];
      try {
        cmd.parse!(text);
      } catch (err) {
        // Bad input must be a UserError (shown to the user), never a crash.
        if ((err as Error).name !== "UserError") throw err;
      }
    },
  },
  {
    name: "config loader",
    arbitrary: fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ accounts: { console: {} }, links: v })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    ),
    check(input) {
      try {
        parseConfig(input as string, {}, "fuzz.yaml");
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems)
          if (typeof p !== "string" || !p.length) throw new Error("config problems must be sentences");
      }
    },
  },
];

/**
 * Runs a check with a time bound: no single input may take over a second. An input that does is tried once more
 * and fails only if it is slow again — a pathological input is slow every time, while a first call's warm-up or a
 * busy machine is not.
 */
export async function checkBounded(target: FuzzTarget, input: unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const start = performance.now();
    await target.check(input);
    const ms = performance.now() - start;
    if (ms <= 1000) return;
    if (attempt === 2) throw new Error(`${target.name} took ${Math.round(ms)} ms on one input, twice`);
  }
}

const ircLineRules = (lines: string[]) => {
  for (const l of lines) {
    if (Buffer.byteLength(l) + 2 + prefixBytes("crier") > 512) throw new Error(`IRC line over 512 bytes: ${l.length}`);
    if (/[\r\n\0\x01]/.test(l)) throw new Error("IRC line with CR/LF/NUL/CTCP");
  }
};

export const parserTargets: FuzzTarget[] = [
  {
    name: "IRC-coded text → RichText → IRC lines",
    arbitrary: fc.tuple(hostileText, hostileText),
    check(input) {
      const [text, sender] = input as [string, string];
      const body = parseIrc(text);
      ircLineRules(
        renderIrcMessage(
          { room: "#c", body, kind: "relay", sender: { name: sender }, idempotencyKey: "k" },
          { nick: "crier", replyAs: "notice", formatting: "irc", maxLines: 20 },
        ),
      );
    },
  },
  {
    name: "time expressions",
    arbitrary: fc.tuple(
      hostileText,
      fc.constantFrom("UTC", "Europe/Berlin", "Pacific/Chatham", "America/Havana"),
      fc.integer({ min: 0, max: 4102444800000 }),
    ),
    check(input) {
      const [text, zone, now] = input as [string, string, number];
      try {
        parseWhen(text, { zone, now });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
      }
    },
  },
  {
    name: "advisory feed documents",
    arbitrary: fc.oneof(
      hostileText,
      fc
        .array(fc.tuple(hostileText, hostileText), { maxLength: 20 })
        .map(
          (items) =>
            `<rss version="2.0"><channel>${items.map(([t, l]) => `<item><title>${t}</title><link>${l}</link><pubDate>${t}</pubDate></item>`).join("")}</channel></rss>`,
        ),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ items: [v, v] })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    ),
    check(input) {
      for (const parse of [(s: string) => parseFeed(s, XMLParser), parseOsvDocument]) {
        try {
          parse(input as string);
        } catch (err) {
          if (!(err instanceof Error)) throw new Error("a parser threw a non-Error");
        }
      }
    },
  },
];

export function allTargets(): FuzzTarget[] {
  return [...coreTargets, ...parserTargets, ...platformTargets];
}
