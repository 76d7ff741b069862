/**
 * Sending with crier's own transaction id (`PUT …/send/{type}/{txnId}`): the homeserver answers a repeated txn id
 * with the first event id, so a retry after a timeout or a crash cannot duplicate. 429 M_LIMIT_EXCEEDED waits the
 * time the server asks for and goes on; refusals that no retry can fix become PermanentSendError.
 */
import { type MatrixClient, MatrixError } from "matrix-bot-sdk";
import { PermanentSendError } from "../../core/adapter.js";

const PERMANENT = new Set(["M_FORBIDDEN", "M_NOT_FOUND", "M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM"]);
const MAX_RATE_LIMIT_WAITS = 50;

export interface SendHooks {
  /** Called for each 429 (metrics, tests). */
  onRateLimited?: (waitMs: number) => void;
  /** True once the adapter is stopping: stop waiting. */
  stopping?: () => boolean;
}

const enc = encodeURIComponent;

async function withRateLimit<T>(fn: () => Promise<T>, hooks: SendHooks): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof MatrixError &&
        err.errcode === "M_LIMIT_EXCEEDED" &&
        waits < MAX_RATE_LIMIT_WAITS &&
        !hooks.stopping?.()
      ) {
        const waitMs = Math.min(Math.max(err.retryAfterMs ?? 1000, 50), 60_000);
        hooks.onRateLimited?.(waitMs);
        await new Promise((r) => setTimeout(r, waitMs));
        continue;
      }
      if (err instanceof MatrixError && PERMANENT.has(err.errcode))
        throw new PermanentSendError(`Matrix refused: ${err.errcode} ${err.error}`);
      throw err;
    }
  }
}

export async function sendEvent(
  client: MatrixClient,
  roomId: string,
  type: string,
  txnId: string,
  content: Record<string, unknown>,
  hooks: SendHooks = {},
): Promise<string> {
  const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId)}`;
  const res = await withRateLimit(() => client.doRequest("PUT", path, null, content), hooks);
  return res.event_id as string;
}

export async function redactEvent(
  client: MatrixClient,
  roomId: string,
  eventId: string,
  txnId: string,
  hooks: SendHooks = {},
): Promise<void> {
  const path = `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/${enc(txnId)}`;
  await withRateLimit(() => client.doRequest("PUT", path, null, {}), hooks);
}
