/**
 * The access token crier uses: the configured one, or one got by password login and kept in the store, so a
 * restart reuses the same device (and its transaction-id scope) instead of logging in again.
 */
import type { Logger } from "../../core/log.js";
import type { MatrixConfig } from "./config.js";
import type { RawJson } from "./inbound.js";
import type { StoreStorageProvider } from "./storage.js";

async function call(homeserver: string, path: string, init: RequestInit): Promise<{ status: number; body: RawJson }> {
  const res = await fetch(`${homeserver.replace(/\/+$/, "")}${path}`, init);
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
  if (res.status !== 200 || typeof res.body?.access_token !== "string")
    throw new Error(
      `Matrix login as ${userId} failed: HTTP ${res.status} ${res.body?.errcode ?? ""} ${res.body?.error ?? ""}`,
    );
  await storage.write(key, res.body.access_token);
  log.info({ userId, device: res.body.device_id }, "logged in to Matrix; token kept in the store");
  return res.body.access_token;
}
