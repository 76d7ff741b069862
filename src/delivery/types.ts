/**
 * What the delivery layer takes and gives back. It carries messages to rooms; it knows nothing of why they are
 * sent (a relayed copy, a reminder, an answer): callers pass an opaque `ref` and get it back when it is delivered.
 */
import type { OutgoingMessage } from "../core/adapter.js";
import { type BackoffPolicy, longestDelay } from "../core/backoff.js";
import type { Queryable } from "../store/store.js";

export type OutboxOp = "send" | "edit" | "delete" | "react";

export interface OutboxItem {
  account: string;
  op?: OutboxOp;
  message: OutgoingMessage;
  /**
   * For edit/delete/react, what it acts on: native ids already known, or the idempotency key of an earlier
   * delivery (to the same room) whose native ids are taken at send time — it may be sent only just before.
   */
  target?: { nativeIds?: string[]; key?: string };
  /** For react: the emoji. */
  emoji?: string;
  /** The caller's own reference, handed back untouched in the delivered event. */
  ref?: string;
  /** Not before this time (epoch ms): paces catch-up deliveries after downtime. */
  notBefore?: number;
  /**
   * "answer" (crier's own words: answers, reminders, warnings) goes ahead of "relay" (people's messages and their
   * membership) waiting for the same room. Default: by the message's kind.
   */
  lane?: "answer" | "relay";
}

/** Emitted inside the transaction that marks a delivery done, so a listener's writes commit with it. */
export interface Delivered {
  key: string;
  account: string;
  room: string;
  op: OutboxOp;
  /** Every native id the platform gave the message (empty for edits, deletes, reactions). */
  nativeIds: string[];
  ref?: string;
}

export type DeliveredListener = (tx: Queryable, delivered: Delivered) => Promise<void>;

export interface QueueStatus {
  account: string;
  /** Set in per-room status. */
  room?: string;
  pending: number;
  parked: number;
  /** created_at (epoch ms) of the oldest message still waiting, or null. */
  oldest: number | null;
}

/** A stored row; `meta` holds the item's target, emoji and ref (the delivery layer's own JSON). */
export interface OutboxRow {
  key: string;
  account: string;
  room: string;
  seq: number;
  op: OutboxOp;
  payload: string;
  meta: string | null;
  status: "pending" | "sending" | "sent" | "parked";
  attempts: number;
  next_at: number;
  created_at: number;
  /** 0 = answers, 1 = relayed traffic; a room's queue is taken by lane, then seq. */
  lane: number;
  /** The key of the combined message this row went out in (or is about to), if any. */
  batch: string | null;
  /** When the current run of failed attempts began (epoch ms), for parking. */
  failing_since: number | null;
}

export interface RowMeta {
  target?: { nativeIds?: string[]; key?: string };
  emoji?: string;
  ref?: string;
}

export function rowMeta(row: OutboxRow): RowMeta {
  if (!row.meta) return {};
  try {
    const m = JSON.parse(row.meta) as RowMeta;
    return m && typeof m === "object" ? m : {};
  } catch {
    return {};
  }
}

/** A failed send is retried after 1 s, doubling to a minute, each wait spread ±20% (crier's one backoff policy). */
export const RETRY: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: { spread: 0.2 } };
/** No retry waits longer than this (the longest backoff with its jitter); a retry due further out than this from
 * now was scheduled before the wall clock stepped back, and is due. */
export const LONGEST_RETRY_MS = longestDelay(RETRY);
