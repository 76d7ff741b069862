/**
 * Matrix media (`mxc://server/id`) → an https URL people on other platforms can open. Homeservers with
 * authenticated media (Synapse's default) need a token for `/_matrix/client/v1/media/download`, so when crier's
 * web server is public (`mediaPublicUrl`, else `http.publicUrl`) links point there instead, under
 * `/matrix-media/<account>/<server>/<id>/<token>/<name>`, for it to fetch with crier's login (media-route.ts).
 * The token is an HMAC of the file under a key kept in the store: only files crier itself linked can be fetched
 * through it, never an arbitrary mxc (crier would otherwise be an open proxy to everything its login can read).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../../store/store.js";
const MXC = /^mxc:\/\/([A-Za-z0-9.:[\]-]+)\/([A-Za-z0-9_-]+)$/;

export interface MediaRef {
  server: string;
  mediaId: string;
}

export function parseMxc(mxc: string): MediaRef | undefined {
  const m = MXC.exec(mxc);
  return m ? { server: m[1], mediaId: m[2] } : undefined;
}

/** The per-file token of a media link: the HMAC of account, server and media id, 32 base64url characters. */
export function mediaToken(key: Buffer, account: string, ref: MediaRef): string {
  return createHmac("sha256", key).update(`${account}\n${ref.server}\n${ref.mediaId}`).digest("base64url").slice(0, 32);
}

export function isMediaToken(key: Buffer, account: string, ref: MediaRef, token: string): boolean {
  const want = Buffer.from(mediaToken(key, account, ref));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

const KEY_TABLE = "CREATE TABLE IF NOT EXISTS matrix_media_keys (account TEXT PRIMARY KEY, mac_key TEXT NOT NULL)";

/** The account's link key: made once, kept in the store, so links stay valid across restarts. */
export async function mediaKey(store: Store, account: string): Promise<Buffer> {
  await store.run(KEY_TABLE);
  await store.run("INSERT INTO matrix_media_keys (account, mac_key) VALUES (?, ?) ON CONFLICT (account) DO NOTHING", [
    account,
    randomBytes(32).toString("base64"),
  ]);
  const row = await store.get<{ mac_key: string }>("SELECT mac_key FROM matrix_media_keys WHERE account = ?", [
    account,
  ]);
  return Buffer.from(row!.mac_key, "base64");
}

export function mediaUrl(
  mxc: string,
  name: string,
  opts: { homeserver: string; publicUrl?: string; account?: string; key?: Buffer },
): string | undefined {
  const ref = parseMxc(mxc);
  if (!ref) return undefined;
  const file = encodeURIComponent(name || "file");
  const account = opts.account ?? "matrix";
  if (opts.publicUrl && opts.key)
    return `${opts.publicUrl.replace(/\/+$/, "")}/matrix-media/${encodeURIComponent(account)}/${encodeURIComponent(ref.server)}/${ref.mediaId}/${mediaToken(opts.key, account, ref)}/${file}`;
  return `${opts.homeserver.replace(/\/+$/, "")}/_matrix/client/v1/media/download/${encodeURIComponent(ref.server)}/${ref.mediaId}/${file}`;
}
