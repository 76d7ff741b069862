/**
 * Combining a room's backlog: consecutive relayed messages of one sender become one platform message of several
 * lines, on platforms that declare they show that naturally (`combinesLines`). Which rows went into one message is
 * stored with them (`batch`), so a retry after a crash sends exactly the same message again, and each row keeps its
 * own payload, so an edit or delete of one of them can re-render the message they share.
 */
import type { Capabilities, OutgoingMessage } from "../core/adapter.js";
import { type RichText, toPlain } from "../core/richtext.js";
import type { OutboxRow } from "./types.js";

/** What a row's payload holds; `removed` marks a member of a combined message its author deleted. */
export type Payload = Omit<OutgoingMessage, "idempotencyKey"> & { removed?: boolean };

export const RELAY_LANE = 1;
export const ANSWER_LANE = 0;

export const payloadOf = (row: OutboxRow): Payload => JSON.parse(row.payload) as Payload;

const lineCount = (body: RichText) => 1 + body.filter((n) => n.t === "br").length;

function runnable(row: OutboxRow, p: Payload, now: number): boolean {
  return (
    row.op === "send" &&
    Number(row.lane) === RELAY_LANE &&
    row.status === "pending" &&
    !row.batch &&
    row.next_at <= now &&
    p.kind === "relay" &&
    !!p.sender &&
    !p.action &&
    !p.replyToNativeId &&
    !p.replyQuote &&
    // Files go after their own message's text; in a combined message they would lose their place.
    !p.files?.length
  );
}

/**
 * The longest run at the head of `rows` (a room's queue, in order) that may go out as one message: two or more
 * relayed sends of one sender within the platform's limits; otherwise an empty list.
 */
export function combinableRun(rows: OutboxRow[], caps: Capabilities, now: number): OutboxRow[] {
  const limits = caps.combinesLines;
  if (!limits || rows.length < 2) return [];
  const run: OutboxRow[] = [];
  let lines = 0;
  let chars = 0;
  let who: string | undefined;
  for (const row of rows) {
    const p = payloadOf(row);
    if (!runnable(row, p, now)) break;
    const sender = `${p.sender!.name}\u0000${p.sender!.avatarUrl ?? ""}\u0000${p.sender!.key ?? ""}`;
    if (who !== undefined && sender !== who) break;
    const addLines = lineCount(p.body);
    const addChars = toPlain(p.body).length + 1;
    if (run.length && (lines + addLines > limits.maxLines || chars + addChars > limits.maxChars)) break;
    who = sender;
    lines += addLines;
    chars += addChars;
    run.push(row);
  }
  return run.length >= 2 ? run : [];
}

/** The one message a combined batch is sent (or re-rendered) as; its key is the batch's (the first row's). */
export function combinedMessage(members: OutboxRow[], key: string): OutgoingMessage | undefined {
  const payloads = members.map(payloadOf).filter((p) => !p.removed);
  if (!payloads.length) return undefined;
  const body: RichText = [];
  for (const p of payloads) {
    if (body.length) body.push({ t: "br" });
    body.push(...p.body);
  }
  const allowed = [...new Set(payloads.flatMap((p) => p.allowedMentions ?? []))];
  const { removed: _r, ...first } = payloads[0];
  return { ...first, body, idempotencyKey: key, ...(allowed.length ? { allowedMentions: allowed } : {}) };
}
