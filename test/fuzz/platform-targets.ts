/**
 * Fuzz targets for what each platform hands crier from strangers, before any feature sees it: a Matrix timeline
 * event (any JSON, hostile HTML), a Discord message's markdown, and an IRC line with IRCv3 tags as the server sends
 * it, parsed by irc-framework's own line parser and turned into crier's event. The invariants: no throw, output
 * bounded by the input (linear), and no line breaks or control codes that could become a command.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import { parseDiscord, renderDiscord } from "../../src/adapters/discord/markdown.js";
import { ircMessageEvent } from "../../src/adapters/irc/inbound.js";
import { type RawMatrixEvent, toChatEvent } from "../../src/adapters/matrix/inbound.js";
import { toPlain } from "../../src/core/richtext.js";
import { deepHtml, NESTING_TAGS } from "./hostile-html.js";
import { hostileText } from "./hostile-text.js";
import type { FuzzTarget } from "./targets.js";

// irc-framework's line parser is what reads every line the server sends; it is not exported by name.
const parseIrcLine = createRequire(import.meta.url)("irc-framework/src/irclineparser") as (line: string) => {
  tags: Record<string, string>;
  prefix: string;
  nick: string;
  command: string;
  params: string[];
} | null;

const hostileHtml = fc.oneof(
  hostileText,
  fc.integer({ min: 0, max: 400 }).map((d) => deepHtml(d)),
  fc
    .array(fc.tuple(fc.nat(NESTING_TAGS.length - 1), hostileText, fc.boolean()), { maxLength: 30 })
    .map((parts) => parts.map(([i, t, close]) => NESTING_TAGS[i][0] + t + (close ? NESTING_TAGS[i][1] : "")).join("")),
);

const matrixEvent: fc.Arbitrary<RawMatrixEvent> = fc.record({
  event_id: fc.string({ maxLength: 60 }),
  type: fc.constantFrom("m.room.message", "m.reaction", "m.room.redaction", "m.sticker", "x"),
  sender: fc.string({ maxLength: 60 }),
  origin_server_ts: fc.oneof(fc.integer(), fc.constant(Number.NaN), fc.constant(undefined as unknown as number)),
  redacts: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  content: fc.oneof(
    fc.jsonValue({ maxDepth: 5 }),
    fc.record({
      msgtype: fc.constantFrom("m.text", "m.notice", "m.emote", "m.image", "m.file", 7),
      body: fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 })),
      format: fc.constantFrom("org.matrix.custom.html", "x", undefined),
      formatted_body: fc.oneof(hostileHtml, fc.jsonValue({ maxDepth: 2 })),
      url: fc.oneof(fc.constant("mxc://a/b"), hostileText),
      "m.relates_to": fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.record({
          rel_type: fc.constantFrom("m.replace", "m.annotation", "m.thread", "x"),
          event_id: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
          key: fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 })),
          "m.in_reply_to": fc.jsonValue({ maxDepth: 2 }),
        }),
      ),
      "m.new_content": fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    }),
  ),
});

/** Tag values as a server may relay them (escaped per IRCv3), and client tags anyone may send. */
const tagPart = fc.tuple(
  fc.constantFrom("msgid", "time", "account", "+draft/reply", "+typing", "batch", "x".repeat(300), ""),
  fc.oneof(hostileText, fc.constantFrom("2026-12-02T04:00:00.000Z", "9999-99-99", "\\s\\:\\\\", "")),
);
const ircLine = fc
  .tuple(
    fc.array(tagPart, { maxLength: 8 }),
    fc.constantFrom("mallory!m@h", "nick", "", "a!b@c d"),
    fc.constantFrom("PRIVMSG", "NOTICE", "privmsg", "TAGMSG"),
    fc.constantFrom("#devel", "crier", "#", "", "#a,#b"),
    hostileText,
  )
  .map(
    ([tags, prefix, cmd, target, text]) =>
      `${tags.length ? `@${tags.map(([k, v]) => `${k}=${v.replace(/[ ;\r\n]/g, "")}`).join(";")} ` : ""}${prefix ? `:${prefix} ` : ""}${cmd} ${target} :${text}`,
  );

const plainLength = (rt: unknown) => toPlain(rt as Parameters<typeof toPlain>[0]).length;

export const platformTargets: FuzzTarget[] = [
  {
    name: "Matrix timeline events → crier events",
    arbitrary: matrixEvent,
    check(input) {
      const ev = input as RawMatrixEvent;
      const out = toChatEvent("!room:hs", ev, {
        account: "matrix.hs",
        sender: { account: "matrix.hs", id: String(ev.sender), name: "x" },
        mediaUrl: () => undefined,
        receivedAt: Date.now(),
      });
      if (out && (out.kind === "message" || out.kind === "edit")) {
        const limit = JSON.stringify(ev).length + 100;
        if (plainLength(out.body) > limit) throw new Error(`text grew past its input: ${plainLength(out.body)}`);
      }
    },
  },
  {
    name: "Discord markdown → RichText → Discord",
    arbitrary: fc.oneof(
      hostileText,
      fc
        .array(
          fc.constantFrom(
            "**",
            "__",
            "*",
            "_",
            "~~",
            "||",
            "`",
            "```",
            "> ",
            "# ",
            "-# ",
            "[",
            "](",
            ")",
            "<@1>",
            "<#2>",
            "<t:1:R>",
            "x",
          ),
          { maxLength: 200 },
        )
        .map((p) => p.join("")),
    ),
    check(input) {
      const rt = parseDiscord(input as string, { user: (id) => (id === "1" ? "alice" : undefined) });
      if (plainLength(rt) > (input as string).length * 2 + 100) throw new Error("text grew past its input");
      if (renderDiscord(rt).length > 2 * (input as string).length + 100)
        throw new Error("rendering grew past its input");
    },
  },
  {
    name: "IRC lines with IRCv3 tags → crier events",
    arbitrary: ircLine,
    check(input) {
      const msg = parseIrcLine(input as string);
      if (!msg) return;
      const time = msg.tags.time ? Date.parse(msg.tags.time) : undefined;
      const e = { target: msg.params[0], message: msg.params[1], nick: msg.nick, tags: msg.tags, time };
      const ev = ircMessageEvent("irc.net", e, {}, { account: "irc.net", id: "~x", name: "x" }, () => 0, Date.now());
      if (typeof ev.id !== "string" || !ev.id.length) throw new Error("an event without an id");
      if (Number.isNaN(ev.at.getTime()) && time !== undefined && !Number.isNaN(time)) throw new Error("time lost");
      if (plainLength(ev.body) > (input as string).length + 10) throw new Error("text grew past its input");
    },
  },
];
