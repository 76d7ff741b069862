/**
 * The one safe line encoder. Every line crier writes to an IRC server is built here: no parameter can carry CR, LF
 * or NUL (a lone CR once became a raw command in a bridge — CVE-2022-29166), \x01 survives only in a CTCP frame crier
 * built itself, middle parameters cannot contain spaces or start with ':', and text is split so the line as the
 * server relays it — `:nick!user@host PRIVMSG #chan :text\r\n` — stays within 512 bytes, on UTF-8 character
 * boundaries, preferably at spaces.
 */

export const MAX_LINE_BYTES = 512;
/** Longest `nick!user@host` prefix we assume when the server has not told us ours: nick + ~user(≤10) + host(≤63). */
export const DEFAULT_HOSTMASK_EXTRA = 1 + 11 + 1 + 63;

const CONTROL = /[\r\n\0]/;

/** Text for a trailing parameter: line breaks become spaces, NUL and \x01 go. */
export function cleanText(s: string): string {
  return s.replace(/\r\n|\r|\n/g, " ").replace(/[\0\x01]/g, "");
}

/** A middle parameter (target, nick, channel): one word, no control characters, not starting with ':'. */
export function cleanMiddle(s: string): string {
  if (!s || CONTROL.test(s) || /[\s\x01]/.test(s) || s.startsWith(":"))
    throw new Error(`unsafe IRC parameter ${JSON.stringify(s.slice(0, 40))}`);
  return s;
}

export const isChannel = (target: string): boolean => /^[#&][^\s,\x07\0\r\n]{1,199}$/.test(target);
export const isNick = (target: string): boolean => /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,31}$/.test(target);

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes each, never inside a character (or a surrogate pair),
 * preferring the last space in the piece when there is one in its second half.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new Error("line budget too small");
  const out: string[] = [];
  let rest = text;
  while (utf8(rest) > maxBytes) {
    let bytes = 0;
    let cut = 0;
    for (const ch of rest) {
      const b = utf8(ch);
      if (bytes + b > maxBytes) break;
      bytes += b;
      cut += ch.length;
    }
    const space = rest.lastIndexOf(" ", cut);
    const at = space > cut / 2 ? space : cut;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^ /, "");
  }
  if (rest.length || !out.length) out.push(rest);
  return out;
}

export interface LineSpec {
  command: "PRIVMSG" | "NOTICE";
  target: string;
  text: string;
  /** `/me`: wrapped in a CTCP ACTION frame built here. */
  action?: boolean;
  /** A CTCP reply/request built by crier (VERSION, PING, TIME): `ctcp` is the verb, `text` its argument. */
  ctcp?: string;
  /** Put in front of every piece (the relayed sender's name), counted in the budget. */
  prefix?: string;
}

/** Bytes the server adds in front of what we send when it relays our line. */
export const prefixBytes = (nick: string, hostmaskExtra = DEFAULT_HOSTMASK_EXTRA): number =>
  1 + utf8(nick) + hostmaskExtra + 1;

/** Raw lines for one message: every one safe and within 512 bytes as relayed. */
export function encodeLines(spec: LineSpec, ownNick: string, hostmaskExtra = DEFAULT_HOSTMASK_EXTRA): string[] {
  const target = cleanMiddle(spec.target);
  const command = spec.command;
  const ctcpVerb = spec.action ? "ACTION" : spec.ctcp ? cleanMiddle(spec.ctcp.toUpperCase()) : undefined;
  const frame = ctcpVerb ? utf8(`\x01${ctcpVerb} \x01`) : 0;
  const prefix = cleanText(spec.prefix ?? "");
  const fixed = prefixBytes(ownNick, hostmaskExtra) + utf8(`${command} ${target} :`) + 2 + frame + utf8(prefix);
  const budget = MAX_LINE_BYTES - fixed;
  const text = cleanText(spec.text);
  return splitUtf8(text, budget).map((part) => {
    const piece = prefix + part;
    const body = ctcpVerb ? `\x01${ctcpVerb}${piece ? ` ${piece}` : ""}\x01` : piece || " ";
    return `${command} ${target} :${body}`;
  });
}

/** Any other command (JOIN, MODE, NICK…): every parameter checked, the last one may be trailing text. */
export function encodeCommand(command: string, params: string[], trailing?: string): string {
  const cmd = cleanMiddle(command);
  const parts = [cmd, ...params.map(cleanMiddle)];
  if (trailing !== undefined) parts.push(`:${cleanText(trailing)}`);
  const line = parts.join(" ");
  if (utf8(line) > MAX_LINE_BYTES - 2) throw new Error("IRC command too long");
  return line;
}
