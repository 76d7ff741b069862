/** OutgoingMessage → the exact raw IRC lines crier sends (also what `crier render --to irc` prints). */
import { createHash } from "node:crypto";
import type { OutgoingMessage } from "../../core/adapter.js";
import { toPlain } from "../../core/richtext.js";
import { savePaste } from "../../services/pastes.js";
import type { Store } from "../../store/store.js";
import { cleanText, encodeLines } from "./encoder.js";
import { nickColour, renderIrc } from "./format.js";

export interface IrcRenderOptions {
  nick: string;
  replyAs: "notice" | "privmsg";
  formatting: "irc" | "plain";
  maxLines: number;
  /** Where the whole text can be read when it is cut short (crier's web page), if anywhere. */
  moreLink?: string;
  hostmaskExtra?: number;
}

/**
 * How a relayed sender is shown: `<name>` in a stable colour, with a zero-width space after the first letter so
 * the person of that nick on IRC is not highlighted by their own relayed words.
 */
export function senderLabel(name: string, key: string, plain: boolean): string {
  const clean =
    cleanText(name)
      .replace(/[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/g, "")
      .trim()
      .slice(0, 40) || "?";
  const chars = [...clean];
  const shown = chars.length > 1 ? `${chars[0]}\u200b${chars.slice(1).join("")}` : clean;
  return plain ? shown : `\x03${String(nickColour(key)).padStart(2, "0")}${shown}\x03`;
}

export function renderIrcMessage(msg: OutgoingMessage, opts: IrcRenderOptions): string[] {
  const plain = opts.formatting === "plain";
  let lines = renderIrc(msg.body, { plain });
  if (!lines.length) lines = [""];
  if (lines.length > opts.maxLines) {
    const hidden = lines.length - (opts.maxLines - 1);
    lines = [
      ...lines.slice(0, opts.maxLines - 1),
      opts.moreLink ? `… (${hidden} more lines: ${opts.moreLink})` : `… (${hidden} more lines not shown)`,
    ];
  }
  const command = msg.kind === "notice" && opts.replyAs === "notice" ? "NOTICE" : "PRIVMSG";
  const label =
    msg.kind === "relay" && msg.sender
      ? senderLabel(msg.sender.name, msg.sender.key ?? msg.sender.name, plain)
      : undefined;
  const prefix = label ? (msg.action ? `* ${label} ` : `<${label}> `) : msg.action ? "* " : "";
  return lines.flatMap((line) =>
    encodeLines({ command, target: msg.room, text: line, prefix }, opts.nick, opts.hostmaskExtra),
  );
}

/** Over-long text is kept whole for crier's web page, when there is one, and the excerpt links to it. */
export async function pasteLink(
  msg: OutgoingMessage,
  maxLines: number,
  deps: { publicUrl?: string; store: Store },
): Promise<string | undefined> {
  if (!deps.publicUrl || renderIrc(msg.body).length <= maxLines) return undefined;
  const id = createHash("sha256").update(msg.idempotencyKey).digest("hex").slice(0, 16);
  const who = msg.kind === "relay" && msg.sender ? `${msg.sender.name}:\n` : "";
  await savePaste(deps.store, id, `${who}${toPlain(msg.body)}`);
  return `${deps.publicUrl.replace(/\/$/, "")}/paste/${id}`;
}
