/**
 * OutgoingMessage → the Matrix event contents crier sends (pure; `crier render --to matrix` shows them). Relayed
 * text is `m.text` under the sender template, crier's own words `m.notice`, actions `m.emote`. Pills are made
 * for mentions; only explicitly allowed ones are listed in `m.mentions`, so nothing relayed pings anyone else
 * and never the whole room. Contents over the size limit are split at line breaks (or inside a very long line).
 */
import type { OutgoingMessage } from "../../core/adapter.js";
import { cleanName } from "../../core/names.js";
import { mapLeaves, normalize, type RichNode, type RichText, splitLines, toPlain } from "../../core/richtext.js";
import { parseMatrixHtml } from "./html-parse.js";
import { type Rendered, renderMatrixHtml } from "./html-render.js";

export const HTML_FORMAT = "org.matrix.custom.html";
/** Synapse refuses events over 65,536 bytes; the content stays well under that with room for the envelope. */
export const MAX_CONTENT_BYTES = 60_000;

export interface MatrixRenderOptions {
  senderTemplate: string;
  maxBytes?: number;
}

export type MatrixContent = Record<string, unknown> & { msgtype: string; body: string };

const NAME_SLOT = "\u{E000}";

/** The sender shown before relayed text: the template (HTML, allow-listed) with {name} as plain text. */
export function senderPrefix(template: string, name: string): RichText {
  const safeName = cleanName(name);
  const filled = mapLeaves(parseMatrixHtml(template.replaceAll("{name}", NAME_SLOT)), (n): RichNode | RichNode[] =>
    n.t === "text"
      ? n.text
          .split(NAME_SLOT)
          .flatMap((part, i) => (i === 0 ? [part] : [safeName, part]))
          .map((t): RichNode => ({ t: "text", text: t }))
      : n,
  );
  return normalize(filled);
}

function msgtypeOf(msg: OutgoingMessage): string {
  if (msg.kind === "notice") return "m.notice";
  return msg.action ? "m.emote" : "m.text";
}

function fullText(msg: OutgoingMessage, opts: MatrixRenderOptions): { prefix: RichText; body: RichText } {
  if (msg.kind !== "relay" || !msg.sender) return { prefix: [], body: msg.body };
  const prefix = msg.action
    ? [
        { t: "bold", children: [{ t: "text", text: msg.sender.name }] } as RichNode,
        { t: "text", text: " " } as RichNode,
      ]
    : senderPrefix(opts.senderTemplate, msg.sender.name);
  return { prefix, body: msg.body };
}

/**
 * Marks what crier relayed, so that another crier (or this one under a second account) in the same room never
 * relays it again: two bridges cannot loop.
 */
export const RELAYED_MARKER = "io.github.crier.relayed";

function contentOf(msgtype: string, r: Rendered, allowed: Set<string>): MatrixContent {
  const userIds = [...new Set(r.pills.filter((id) => allowed.has(id)))];
  return {
    msgtype,
    body: r.body,
    format: HTML_FORMAT,
    formatted_body: r.html,
    "m.mentions": userIds.length ? { user_ids: userIds } : {},
  };
}

const bytes = (c: unknown) => Buffer.byteLength(JSON.stringify(c), "utf8");

/** What a piece of text adds to the content: its HTML and its plain body, as JSON string bytes. */
function addedBytes(rt: RichText): number {
  const r = renderMatrixHtml(rt);
  return bytes(r.html) - 2 + bytes(r.body) - 2;
}
/** A line break between two lines: `<br>` in the HTML and `\n` in the body (two bytes in JSON). */
const BREAK_BYTES = 6;

/**
 * Splits `body` so that prefix + each part renders within the limit. Each line is rendered once and parts are
 * packed by the sum of their lines' sizes (rendering is additive line by line), so the work is linear in the
 * message, not in lines times parts.
 */
function splitToFit(
  prefix: RichText,
  body: RichText,
  fits: (rt: RichText) => boolean,
  envelope: number,
  limit: number,
): RichText[] {
  if (fits([...prefix, ...body])) return [body];
  const base = envelope + addedBytes(prefix);
  const parts: RichText[] = [];
  let current: RichText = [];
  let size = 0;
  const flush = () => {
    if (current.length) parts.push(current);
    current = [];
    size = 0;
  };
  for (const line of splitLines(body)) {
    const cost = addedBytes(line);
    if (current.length && base + size + BREAK_BYTES + cost <= limit) {
      current.push({ t: "br" }, ...line);
      size += BREAK_BYTES + cost;
      continue;
    }
    flush();
    if (base + cost <= limit || fits([...prefix, ...line])) {
      current = [...line];
      size = cost;
      continue;
    }
    // One line too long on its own: cut its plain text (formatting of that line is lost).
    let rest = toPlain(line);
    while (rest) {
      let n = rest.length;
      while (n > 1 && !fits([...prefix, { t: "text", text: rest.slice(0, n) }])) n = Math.floor(n * 0.8);
      if (n < rest.length) {
        const space = rest.lastIndexOf(" ", n);
        if (space > n * 0.9) n = space + 1;
        else if (/[\uD800-\uDBFF]/.test(rest[n - 1])) n--;
      }
      parts.push([{ t: "text", text: rest.slice(0, n) }]);
      rest = rest.slice(n);
    }
  }
  flush();
  return parts;
}

export function renderMatrixContents(msg: OutgoingMessage, opts: MatrixRenderOptions): MatrixContent[] {
  const msgtype = msgtypeOf(msg);
  const allowed = new Set(msg.allowedMentions ?? []);
  const limit = opts.maxBytes ?? MAX_CONTENT_BYTES;
  const { prefix, body } = fullText(msg, opts);
  const fits = (rt: RichText) => bytes(contentOf(msgtype, renderMatrixHtml(rt), allowed)) <= limit;
  // The content without text, mentioning everyone it may: what each part costs before its lines.
  const envelope = bytes(contentOf(msgtype, { html: "", body: "", pills: [...allowed] }, allowed));
  const parts = splitToFit(prefix, body, fits, envelope, limit);
  return parts.map((part, i) => {
    const content = contentOf(msgtype, renderMatrixHtml([...prefix, ...part]), allowed);
    if (i === 0 && msg.replyToNativeId)
      content["m.relates_to"] = { "m.in_reply_to": { event_id: msg.replyToNativeId } };
    if (msg.kind === "relay") content[RELAYED_MARKER] = true;
    return content;
  });
}

/** The content that replaces an earlier event (`m.replace`); clients show `m.new_content`. */
export function renderMatrixEdit(content: MatrixContent, targetEventId: string): MatrixContent {
  const { "m.relates_to": _relation, ...fresh } = content;
  return {
    msgtype: content.msgtype,
    body: `* ${content.body}`,
    format: HTML_FORMAT,
    formatted_body: `* ${content.formatted_body as string}`,
    "m.new_content": fresh,
    "m.relates_to": { rel_type: "m.replace", event_id: targetEventId },
    "m.mentions": {},
  };
}
