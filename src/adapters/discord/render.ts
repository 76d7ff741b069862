/** OutgoingMessage → the exact bodies crier sends to Discord (what `crier render --to discord` prints). */
import type { OutgoingMessage } from "../../core/adapter.js";
import { cleanName } from "../../core/names.js";
import { renderDiscord } from "./markdown.js";

export const MAX_CHARS = 2000;

/**
 * Webhook names Discord refuses are adjusted, never dropped: forbidden words broken up, 1–80 characters (counted
 * in UTF-16 units, the stricter count, and never cutting an emoji in half).
 */
export function webhookName(name: string): string {
  let s = cleanName(name);
  for (const word of ["discord", "clyde", "everyone", "here"]) {
    s = s.replace(new RegExp(word, "gi"), (w) => `${w[0]}\u200b${w.slice(1)}`);
  }
  let out = "";
  for (const ch of s) {
    if (out.length + ch.length > 80) break;
    out += ch;
  }
  return out;
}

/** Splits at line breaks, then spaces, never inside a character; the text is walked once (linear). */
export function splitContent(s: string, max = MAX_CHARS): string[] {
  const chars = [...s];
  const out: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    const head = chars.slice(start, start + max);
    let cut = head.lastIndexOf("\n");
    if (cut < max / 2) cut = head.lastIndexOf(" ");
    if (cut < max / 2) cut = head.length;
    out.push(head.slice(0, cut).join(""));
    start += cut;
    if (chars[start] === "\n" || chars[start] === " ") start++;
  }
  out.push(chars.slice(start).join(""));
  return out;
}

/** A short nonce from the idempotency key (Discord nonces are at most 25 characters). */
export function nonceOf(key: string, part: number): string {
  let h = 0n;
  for (const ch of `${key}#${part}`) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) % 10n ** 24n;
  return h.toString().padStart(20, "0").slice(0, 25);
}

export interface DiscordBody {
  content: string;
  allowed_mentions: { parse: string[]; users?: string[] };
  nonce?: string;
  enforce_nonce?: boolean;
  username?: string;
  avatar_url?: string;
  message_reference?: { message_id: string };
}

/**
 * `jumpBase` (`https://discord.com/channels/<guild>/<channel>/`) lets a webhook send, which Discord does not allow
 * to be a native reply, quote what it answers with a link to it instead.
 */
export function renderDiscordMessage(
  msg: OutgoingMessage,
  opts: { webhook: boolean; jumpBase?: string },
): DiscordBody[] {
  const users = (msg.allowedMentions ?? []).filter((id) => /^\d+$/.test(id));
  let text = renderDiscord(msg.body, users);
  if (msg.action) text = `*${text}*`;
  const impersonate = opts.webhook && msg.kind === "relay" && msg.sender;
  if (impersonate && msg.replyQuote && msg.replyToNativeId) {
    const { authorName, excerpt } = msg.replyQuote;
    const jump = opts.jumpBase && /^\d+$/.test(msg.replyToNativeId) ? ` ${opts.jumpBase}${msg.replyToNativeId}` : "";
    const quote = renderDiscord([
      {
        t: "quote",
        children: [
          { t: "bold", children: [{ t: "text", text: authorName }] },
          { t: "text", text: `: ${excerpt}` },
        ],
      },
    ]);
    text = `${quote.replace(/\n+$/, "")}${jump}\n${text}`;
  }
  if (msg.kind === "relay" && msg.sender && !impersonate)
    text = `**${renderDiscord([{ t: "text", text: msg.sender.name }])}**: ${text}`;
  return splitContent(text || "\u200b").map((content, i) => {
    const body: DiscordBody = { content, allowed_mentions: { parse: [], ...(users.length ? { users } : {}) } };
    if (impersonate && msg.sender) {
      body.username = webhookName(msg.sender.name);
      if (msg.sender.avatarUrl?.startsWith("https://")) body.avatar_url = msg.sender.avatarUrl;
    } else {
      body.nonce = nonceOf(msg.idempotencyKey, i);
      body.enforce_nonce = true;
    }
    if (i === 0 && msg.replyToNativeId && /^\d+$/.test(msg.replyToNativeId))
      body.message_reference = { message_id: msg.replyToNativeId };
    return body;
  });
}

/** The start of a message link in a guild channel (what Discord's "Copy Message Link" gives). */
export function jumpBase(channel: { guildId?: string | null; id: string }): string | undefined {
  return channel.guildId ? `https://discord.com/channels/${channel.guildId}/${channel.id}/` : undefined;
}
