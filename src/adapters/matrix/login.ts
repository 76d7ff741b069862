/**
 * The access token crier uses: the configured one, or one got by password login and kept in the store, so a
 * restart reuses the same device (and its transaction-id scope) instead of logging in again.
 */
import type { Logger } from "../../core/log.js";
import type { MatrixConfig } from "./config.js";
import type { RawJson } from "./inbound.js";
import type { StoreStorageProvider } from "./storage.js";

async function call(homeserver: string, path: string, init: RequestInit): Promise<{ status: number; body: RawJson }> {
  // A homeserver that accepts the connection and never answers must not hold the account in "connecting" for ever.
  const res = await fetch(`${homeserver.replace(/\/+$/, "")}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

export async function resolveAccessToken(
  config: MatrixConfig,
  storage: StoreStorageProvider,
  log: Logger,
): Promise<string> {
  if (config.accessToken) return config.accessToken;
  const userId = config.userId as string;
  const key = `login:${userId}`;
  const saved = await storage.read(key);
  if (saved) {
    const who = await call(config.homeserver, "/_matrix/client/v3/account/whoami", {
      headers: { authorization: `Bearer ${saved}` },
    });
    if (who.status === 200) return saved;
    if (who.status !== 401) throw new Error(`Matrix whoami failed: HTTP ${who.status} ${who.body?.errcode ?? ""}`);
    log.warn({ userId }, "the stored Matrix access token was refused; logging in again");
  }
  const res = await call(config.homeserver, "/_matrix/client/v3/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: userId },
      password: config.password,
      initial_device_display_name: "crier",
    }),
  });
  if (res.status === 403 || res.status === 401)
    throw new RefusedLogin(
      `Matrix login as ${userId} was refused: ${res.body?.errcode ?? res.status} ${res.body?.error ?? ""}; check the password`,
    );
  if (res.status !== 200 || typeof res.body?.access_token !== "string")
    throw new Error(
      `Matrix login as ${userId} failed: HTTP ${res.status} ${res.body?.errcode ?? ""} ${res.body?.error ?? ""}`,
    );
  await storage.write(key, res.body.access_token);
  log.info({ userId, device: res.body.device_id }, "logged in to Matrix; token kept in the store");
  return res.body.access_token;
}

/** The homeserver said the configured token is not valid (401 M_UNKNOWN_TOKEN): only the operator can fix that. */
export class RefusedLogin extends Error {}

export function refusedLogin(err: unknown): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's MatrixError carries the HTTP status and errcode.
  const e = err as any;
  const code = e?.errcode ?? e?.body?.errcode;
  if (e?.statusCode === 401 && (code === "M_UNKNOWN_TOKEN" || code === "M_MISSING_TOKEN"))
    return new RefusedLogin(`the homeserver refused the access token (${code}); set a valid accessToken`);
  return err;
}

export function isRefusedLogin(err: unknown): boolean {
  return err instanceof RefusedLogin;
}
