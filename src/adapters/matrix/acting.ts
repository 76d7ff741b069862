/**
 * Sending, editing, redacting and reacting as the right Matrix user: a relayed message by its sender's ghost
 * (appservice mode; then without a name in front), an edit or redaction by whoever sent the original (a ghost can
 * always change its own events, where crier's bot may lack the power), a reaction by the ghost of who reacted.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import { type Capabilities, NO_CAPABILITIES, type OutgoingMessage } from "../../core/adapter.js";
import type { Logger } from "../../core/log.js";
import { fromPlain } from "../../core/richtext.js";
import { renderMatrixContents, renderMatrixEdit } from "./render.js";
import { redactEvent, type SendHooks, sendEvent } from "./send.js";
import type { StoreStorageProvider } from "./storage.js";
import type { MatrixTransport } from "./transport.js";
import { fileContent } from "./upload.js";

export interface ActContext {
  /** crier's own client (throws while not connected). */
  own: () => MatrixClient;
  transport: MatrixTransport | undefined;
  hooks: SendHooks;
  senderTemplate: string;
  log: Logger;
  /** Which events are files crier uploaded (edits leave them alone). */
  storage: StoreStorageProvider;
}

/** Files relayed as Matrix media are at most this big (larger ones stay links). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** What the Matrix adapter can do: the same as a bot user and as an application service, whose ghosts are puppets. */
export function matrixCapabilities(appservice: boolean): Capabilities {
  return {
    ...NO_CAPABILITIES,
    edit: true,
    delete: true,
    replies: true,
    reactions: true,
    combinesLines: { maxLines: 100, maxChars: 20_000 },
    uploadsFiles: { maxBytes: MAX_UPLOAD_BYTES },
    ...(appservice ? { puppets: true } : {}),
  };
}

/** Who says a message: the sender's ghost (the message without a name in front), else crier itself. */
export async function speaker(
  ctx: ActContext,
  msg: OutgoingMessage,
  roomId: string,
): Promise<{ client: MatrixClient; shown: OutgoingMessage }> {
  const sender = msg.kind === "relay" ? msg.sender : undefined;
  const ghost =
    sender?.puppet && ctx.transport?.ghost
      ? await ctx.transport.ghost({ ...sender, puppet: sender.puppet }, roomId)
      : undefined;
  return ghost ? { client: ghost, shown: { ...msg, sender: undefined } } : { client: ctx.own(), shown: msg };
}

/** The client of whoever sent `eventId` when crier speaks as them (a ghost), else crier itself. */
async function authorOf(ctx: ActContext, roomId: string, eventId: string) {
  const own = ctx.own();
  const t = ctx.transport;
  if (!t?.clientOf) return { client: own, ghost: false };
  const ev = await own.getEvent(roomId, eventId).catch(() => undefined);
  const sender = typeof ev?.sender === "string" ? ev.sender : undefined;
  return sender && sender !== t.selfId && t.isOwn(sender)
    ? { client: t.clientOf(sender), ghost: true }
    : { client: own, ghost: false };
}

export async function sendMessage(ctx: ActContext, roomId: string, msg: OutgoingMessage): Promise<string[]> {
  // Someone joining, leaving or renamed elsewhere: their ghost joins, leaves or takes the name, as Matrix shows it.
  const change = msg.membership;
  const who = change?.who.puppet ? { ...change.who, puppet: change.who.puppet } : undefined;
  // A rename says nothing else: without a ghost to rename (a bot account now, or no puppet) it is nothing.
  if (change?.kind === "rename") {
    if (who) await ctx.transport?.rename?.(who);
    return [];
  }
  if (who && change && ctx.transport?.ghost && ctx.transport.leave) {
    if (change.kind === "join") await ctx.transport.ghost(who, roomId);
    else await ctx.transport.leave(who.puppet, roomId);
    return [];
  }
  const { client, shown } = await speaker(ctx, msg, roomId);
  const contents = renderMatrixContents(shown, { senderTemplate: ctx.senderTemplate });
  const ids: string[] = [];
  for (const [i, content] of contents.entries()) {
    const txnId = i === 0 ? msg.idempotencyKey : `${msg.idempotencyKey}.${i}`;
    ids.push(await sendEvent(client, roomId, "m.room.message", txnId, content, ctx.hooks));
  }
  // Files after the text, as Matrix media, by the same sender; an edit of the message leaves them as they are.
  for (const [i, file] of (msg.files ?? []).entries()) {
    const content = await fileContent(client, file, MAX_UPLOAD_BYTES);
    const id = await sendEvent(client, roomId, "m.room.message", `${msg.idempotencyKey}.file${i}`, content, ctx.hooks);
    await ctx.storage.write(`file-event:${id}`, "1");
    ids.push(id);
  }
  return ids;
}

export async function editMessage(
  ctx: ActContext,
  roomId: string,
  nativeIds: string[],
  msg: OutgoingMessage,
): Promise<void> {
  const { client, ghost } = await authorOf(ctx, roomId, nativeIds[0]);
  const contents = renderMatrixContents(
    { ...msg, replyToNativeId: undefined, ...(ghost ? { sender: undefined } : {}) },
    { senderTemplate: ctx.senderTemplate },
  );
  for (const [i, eventId] of nativeIds.entries()) {
    if (await ctx.storage.read(`file-event:${eventId}`)) continue;
    const content = contents[i] ?? { ...contents[0], body: "…", formatted_body: "…" };
    const edit = renderMatrixEdit(content, eventId);
    await sendEvent(client, roomId, "m.room.message", `${msg.idempotencyKey}.edit${i}`, edit, ctx.hooks);
  }
  if (contents.length > nativeIds.length)
    ctx.log.warn(
      { room: roomId, parts: contents.length, events: nativeIds.length },
      "an edit grew past Matrix's event size; its end is cut (edits cannot add events)",
    );
  // Parts the new text no longer needs are removed.
  for (const eventId of nativeIds.slice(contents.length))
    await redactEvent(client, roomId, eventId, `crier-redact-${eventId}`, ctx.hooks);
}

export async function deleteMessages(ctx: ActContext, roomId: string, nativeIds: string[]): Promise<void> {
  for (const eventId of nativeIds) {
    const { client } = await authorOf(ctx, roomId, eventId);
    await redactEvent(client, roomId, eventId, `crier-redact-${eventId}`, ctx.hooks);
  }
}

export async function reactTo(
  ctx: ActContext,
  roomId: string,
  nativeId: string,
  emoji: string,
  msg: OutgoingMessage | undefined,
): Promise<void> {
  const { client, shown } = msg ? await speaker(ctx, msg, roomId) : { client: ctx.own(), shown: undefined };
  const content = { "m.relates_to": { rel_type: "m.annotation", event_id: nativeId, key: emoji } };
  // Crier's own reaction is one per message and emoji; each ghost's is its own (one transaction-id scope for all).
  const byGhost =
    shown && msg?.sender && !shown.sender ? `-${Buffer.from(msg.sender.key ?? msg.sender.name).toString("hex")}` : "";
  const txnId = `crier-react-${nativeId}-${Buffer.from(emoji).toString("hex")}${byGhost}`;
  await sendEvent(client, roomId, "m.reaction", txnId, content, ctx.hooks);
}

/** crier's own words in a room (an m.notice from crier itself), once per `onceKey` when given. */
export async function sayNotice(
  ctx: ActContext,
  storage: StoreStorageProvider,
  roomId: string,
  text: string,
  onceKey?: string,
): Promise<void> {
  if (onceKey && (await storage.read(`notice:${onceKey}`))) return;
  const txnId = `crier-notice-${onceKey ?? Date.now()}`;
  const [content] = renderMatrixContents(
    { room: roomId, body: fromPlain(text), kind: "notice", idempotencyKey: txnId },
    { senderTemplate: ctx.senderTemplate },
  );
  await sendEvent(ctx.own(), roomId, "m.room.message", txnId, content, ctx.hooks);
  if (onceKey) await storage.write(`notice:${onceKey}`, String(Date.now()));
}
