/**
 * Raw Matrix timeline events → crier's ChatEvents (pure). Edits and redactions are reported with their true
 * sender and room; the relay decides whether they may touch a relayed copy (same room, same author).
 */
import type { Attachment, ChatEvent, RoomRef, UserRef } from "../../core/model.js";
import { type RichText, fromPlain } from "../../core/richtext.js";
import { parseMatrixHtml } from "./html-parse.js";
import { HTML_FORMAT, RELAYED_MARKER } from "./render.js";

/** Raw Matrix JSON (event content, /sync answers): loosely shaped, read defensively. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type RawJson = any;

export type RawMatrixEvent = {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts?: number;
  content?: RawJson;
  redacts?: string;
  state_key?: string;
  unsigned?: RawJson;
};

export interface InboundContext {
  account: string;
  sender: UserRef;
  mediaUrl: (mxc: string, name: string) => string | undefined;
  backfill?: boolean;
  /** When crier received the event (for one without origin_server_ts). */
  receivedAt: number;
}

const FILE_TYPES = new Set(["m.image", "m.file", "m.video", "m.audio"]);

/** Removes the quoted fallback (`> ` lines and the blank line after) a reply carries in its plain body. */
export function stripReplyFallback(body: string): string {
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i].startsWith(">")) i++;
  if (i === 0) return body;
  if (lines[i] === "") i++;
  return lines.slice(i).join("\n");
}

export function parseContent(content: RawJson, account: string, isReply: boolean): RichText {
  if (content?.format === HTML_FORMAT && typeof content.formatted_body === "string")
    return parseMatrixHtml(content.formatted_body, { account });
  const body = typeof content?.body === "string" ? content.body : "";
  return fromPlain(isReply ? stripReplyFallback(body) : body);
}

export function toChatEvent(roomId: string, ev: RawMatrixEvent, ctx: InboundContext): ChatEvent | undefined {
  const room: RoomRef = { account: ctx.account, room: roomId };
  const at = new Date(ev.origin_server_ts ?? ctx.receivedAt);
  const content = ev.content ?? {};
  const relation = content["m.relates_to"] ?? {};
  if (ev.type === "m.room.redaction") {
    const targetId = ev.redacts ?? content.redacts;
    return typeof targetId === "string" ? { kind: "delete", room, sender: ctx.sender, targetId, at } : undefined;
  }
  if (ev.type === "m.reaction") {
    if (relation.rel_type !== "m.annotation" || typeof relation.event_id !== "string") return undefined;
    return {
      kind: "reaction",
      id: ev.event_id,
      room,
      sender: ctx.sender,
      targetId: relation.event_id,
      emoji: String(relation.key ?? "?"),
      at,
    };
  }
  if (ev.type !== "m.room.message" || typeof content.msgtype !== "string") return undefined;
  if (relation.rel_type === "m.replace" && typeof relation.event_id === "string") {
    const fresh = content["m.new_content"] ?? { ...content, body: String(content.body ?? "").replace(/^\* /, "") };
    return {
      kind: "edit",
      id: ev.event_id,
      room,
      sender: ctx.sender,
      targetId: relation.event_id,
      body: parseContent(fresh, ctx.account, false),
      at,
    };
  }
  const replyTo: string | undefined = relation["m.in_reply_to"]?.event_id;
  let body: RichText;
  let attachments: Attachment[] | undefined;
  if (FILE_TYPES.has(content.msgtype)) {
    const name = String(content.filename ?? content.body ?? "file");
    const url = typeof content.url === "string" ? ctx.mediaUrl(content.url, name) : undefined;
    attachments = url ? [{ url, name, mime: content.info?.mimetype, size: content.info?.size }] : [];
    // A caption is the body when a separate filename is given.
    body =
      content.filename && content.body && content.body !== content.filename
        ? parseContent(content, ctx.account, false)
        : [];
  } else {
    body = parseContent(content, ctx.account, !!replyTo);
  }
  return {
    kind: "message",
    id: ev.event_id,
    room,
    sender: ctx.sender,
    body,
    at,
    ...(content.msgtype === "m.emote" ? { action: true } : {}),
    ...(content.msgtype === "m.notice" ? { notice: true } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(attachments ? { attachments } : {}),
    ...(ctx.backfill ? { backfill: true } : {}),
    ...(content[RELAYED_MARKER] === true ? { viaBridge: true } : {}),
  };
}
