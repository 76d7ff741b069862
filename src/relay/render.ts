/**
 * Builds what goes to one target room from an inbound message: the sender shown natively (the adapter renders
 * `sender`; mentions are translated per target in mentions.ts, and only those may ping), a quote for replies where the target has no native replies, and attachments as files where
 * the target uploads them, else as links.
 */
import type { Capabilities, OutgoingMessage, Puppet } from "../core/adapter.js";
import type { Attachment, UserRef } from "../core/model.js";
import { type RichText, text, toPlain } from "../core/richtext.js";

export function attachmentLinks(attachments: readonly Attachment[] | undefined): RichText {
  const out: RichText = [];
  for (const a of attachments ?? []) {
    out.push(out.length ? text(" ") : text(""), { t: "link", url: a.url, children: [text(a.name || a.url)] });
  }
  return out;
}

export interface ReplyContext {
  /** Native id of the replied-to message in the target room, when known. */
  nativeId?: string;
  authorName: string;
  excerpt: string;
}

export interface RelayMessageInput {
  targetRoom: string;
  targetCaps: Capabilities;
  sender: UserRef;
  /** The sender as a virtual user (see Adapter.puppet). */
  puppet?: Puppet;
  body: RichText;
  action?: boolean;
  attachments?: readonly Attachment[];
  reply?: ReplyContext;
  idempotencyKey: string;
  allowedMentions?: string[];
  /** The original message on its own platform, linked from an excerpt where the target cuts it short. */
  originalUrl?: string;
}

const EXCERPT = 80;

export function excerptOf(body: RichText): string {
  const plain = toPlain(body).replace(/\s+/g, " ").trim();
  return plain.length > EXCERPT ? `${plain.slice(0, EXCERPT - 1)}…` : plain;
}

export function buildRelayMessage(input: RelayMessageInput): OutgoingMessage {
  let body: RichText = [...input.body];
  // Files the target can take as its own media go as files (size unknown: the adapter checks while reading).
  const max = input.targetCaps.uploadsFiles?.maxBytes;
  const uploads = max ? (input.attachments ?? []).filter((a) => a.size === undefined || a.size <= max) : [];
  const links = attachmentLinks((input.attachments ?? []).filter((a) => !uploads.includes(a)));
  if (links.length) body = body.length ? [...body, text(" "), ...links] : links;
  // A file alone still says who sent it: its name is the text.
  if (!body.length && uploads.length) body = [text(uploads.map((a) => a.name || "a file").join(", "))];
  let replyToNativeId: string | undefined;
  if (input.reply) {
    if (input.targetCaps.replies && input.reply.nativeId) replyToNativeId = input.reply.nativeId;
    else
      body = [
        { t: "quote", children: [text(`${input.reply.authorName}: ${input.reply.excerpt}`)] },
        { t: "br" },
        ...body,
      ];
  }
  return {
    room: input.targetRoom,
    body,
    kind: "relay",
    sender: {
      name: input.sender.name || input.sender.id,
      avatarUrl: input.sender.avatarUrl,
      key: `${input.sender.account}:${input.sender.id}`,
      ...(input.puppet ? { puppet: input.puppet } : {}),
    },
    action: input.action,
    replyToNativeId,
    replyQuote: replyToNativeId ? { authorName: input.reply!.authorName, excerpt: input.reply!.excerpt } : undefined,
    idempotencyKey: input.idempotencyKey,
    allowedMentions: input.allowedMentions?.length ? input.allowedMentions : undefined,
    originalUrl: input.originalUrl,
    ...(uploads.length ? { files: uploads } : {}),
  };
}
