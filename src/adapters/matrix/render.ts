/**
 * OutgoingMessage → the Matrix event contents crier sends (pure; `crier render --to matrix` shows them). Relayed
 * text is `m.text` under the sender template, crier's own words `m.notice`, actions `m.emote`. Pills are made
 * for mentions; only explicitly allowed ones are listed in `m.mentions`, so nothing relayed pings anyone else
 * and never the whole room. Contents over the size limit are split at line breaks (or inside a very long line).
 */
import type { OutgoingMessage } from "../../core/adapter.js";
import { cleanName } from "../../core/names.js";
import { type RichNode, type RichText, normalize, splitLines, toPlain } from "../../core/richtext.js";
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
  const fill = (nodes: RichText): RichText =>
    nodes.flatMap((n): RichNode[] => {
      if (n.t === "text")
        return n.text
          .split(NAME_SLOT)
          .flatMap((part, i) => (i === 0 ? [part] : [safeName, part]))
          .map((t) => ({ t: "text", text: t }));
      if ("children" in n) return [{ ...n, children: fill(n.children) } as RichNode];
      return [n];
    });
  return normalize(fill(parseMatrixHtml(template.replaceAll("{name}", NAME_SLOT))));
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

/** Splits `body` so that prefix + each part renders within the limit. */
function splitToFit(prefix: RichText, body: RichText, fits: (rt: RichText) => boolean): RichText[] {
  if (fits([...prefix, ...body])) return [body];
  const parts: RichText[] = [];
  let current: RichText = [];
  const flush = () => {
    if (current.length) parts.push(current);
    current = [];
  };
  for (const line of splitLines(body)) {
    const candidate = current.length ? [...current, { t: "br" } as RichNode, ...line] : line;
    if (fits([...prefix, ...candidate])) {
      current = candidate;
      continue;
    }
    flush();
    if (fits([...prefix, ...line])) {
      current = line;
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
  const parts = splitToFit(prefix, body, fits);
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
