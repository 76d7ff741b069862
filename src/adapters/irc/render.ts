/** OutgoingMessage → the exact raw IRC lines crier sends (also what `crier render --to irc` prints). */
import { createHash } from "node:crypto";
import type { OutgoingMessage } from "../../core/adapter.js";
import { toPlain } from "../../core/richtext.js";
import { savePaste } from "../../services/pastes.js";
import type { Store } from "../../store/store.js";
import { cleanName } from "../../core/names.js";
import { encodeLines } from "./encoder.js";
import { nickColour, renderIrc } from "./format.js";
import { addressedNicks, type NickOf } from "./highlight.js";

export interface IrcRenderOptions {
  nick: string;
  replyAs: "notice" | "privmsg";
  formatting: "irc" | "plain";
  /** Code in `\x11` (per account, `monospace: true`) instead of backticks. */
  monospace?: boolean;
  maxLines: number;
  /** Where the whole text can be read when it is cut short (crier's web page), if anywhere. */
  moreLink?: string;
  hostmaskExtra?: number;
  /** The nick of a mentioned person in the channel, for lines that address them (see highlight.ts). */
  nickOf?: NickOf;
}

/**
 * How a relayed sender is shown: `<name>` in a stable colour, with a zero-width space after the first letter so
 * the person of that nick on IRC is not highlighted by their own relayed words.
 */
export function senderLabel(name: string, key: string, plain: boolean): string {
  // No angle brackets: a name like "admin> do it <x" would otherwise fake `<admin>` saying something.
  const chars = [...cleanName(name).replace(/[<>]/g, "").trim()].slice(0, 64);
  if (!chars.length) chars.push("?");
  const shown = chars.length > 1 ? `${chars[0]}\u200b${chars.slice(1).join("")}` : chars[0];
  return plain ? shown : `\x03${String(nickColour(key)).padStart(2, "0")}${shown}\x03`;
}

/** One huge line splits into many IRC lines: a message never sends more than this many (the rest is linked). */
export const wireLineLimit = (maxLines: number): number => maxLines * 2;

/** Every IRC line the message would take, per line of text, before any excerpting. */
function encodeAll(
  msg: OutgoingMessage,
  opts: IrcRenderOptions,
): { encode: (text: string) => string[]; lines: string[][] } {
  const plain = opts.formatting === "plain";
  const { body, lead } = addressedNicks(msg, opts.nickOf);
  const text = renderIrc(body, { plain, monospace: opts.monospace });
  const command = msg.kind === "notice" && opts.replyAs === "notice" ? "NOTICE" : "PRIVMSG";
  const label =
    msg.kind === "relay" && msg.sender
      ? senderLabel(msg.sender.name, msg.sender.key ?? msg.sender.name, plain)
      : undefined;
  const prefix = label ? (msg.action ? `* ${label} ` : `<${label}> `) : msg.action ? "* " : "";
  const encode = (line: string, first = false) =>
    encodeLines(
      { command, target: msg.room, text: line, prefix: first ? `${lead}${prefix}` : prefix },
      opts.nick,
      opts.hostmaskExtra,
    );
  return { encode, lines: (text.length ? text : [""]).map((line, i) => encode(line, i === 0)) };
}

const tooLong = (lines: string[][], maxLines: number): boolean =>
  lines.length > maxLines || lines.flat().length > wireLineLimit(maxLines);

/** Whether the message is cut to an excerpt: too many lines of text, or too many IRC lines (one enormous line). */
export function isExcerpt(msg: OutgoingMessage, opts: IrcRenderOptions): boolean {
  return tooLong(encodeAll(msg, opts).lines, opts.maxLines);
}

export function renderIrcMessage(msg: OutgoingMessage, opts: IrcRenderOptions): string[] {
  const { encode, lines } = encodeAll(msg, opts);
  const all = lines.flat();
  if (!tooLong(lines, opts.maxLines)) return all;
  const kept = lines
    .slice(0, opts.maxLines - 1)
    .flat()
    .slice(0, wireLineLimit(opts.maxLines) - 1);
  const hidden = all.length - kept.length;
  return [
    ...kept,
    ...encode(opts.moreLink ? `… (${hidden} more lines: ${opts.moreLink})` : `… (${hidden} more lines not shown)`),
  ];
}

/** Over-long text is kept whole for crier's web page, when there is one, and the excerpt links to it. */
export async function pasteLink(
  msg: OutgoingMessage,
  opts: IrcRenderOptions,
  deps: { publicUrl?: string; store: Store },
): Promise<string | undefined> {
  if (!deps.publicUrl || !isExcerpt(msg, opts)) return undefined;
  const id = createHash("sha256").update(msg.idempotencyKey).digest("hex").slice(0, 16);
  const who = msg.kind === "relay" && msg.sender ? `${msg.sender.name}:\n` : "";
  await savePaste(deps.store, id, `${who}${toPlain(msg.body)}`);
  return `${deps.publicUrl.replace(/\/$/, "")}/paste/${id}`;
}
