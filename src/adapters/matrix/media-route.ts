/**
 * The answer crier's web server gives for `/matrix-media/<account>/<server>/<id>/<token>/<name>`: the media fetched
 * with the account's login, so people on IRC and Discord can open Matrix files from homeservers that require
 * authentication — only files whose link crier made (the token, media.ts); any other path is a 404. Only images, audio and video are shown inline; everything else is a download, and nothing is
 * ever interpreted as a page of crier's site.
 */
import type { Adapter } from "../../core/adapter.js";

/** What serving media needs of an account: the Matrix adapter answers it (declared here so the two need no cycle). */
export interface MediaSource {
  downloadMedia(server: string, mediaId: string): Promise<{ data: Buffer; contentType: string }>;
  /** Whether `token` is the one crier put in its link to this file. */
  isMediaLink(server: string, mediaId: string, token: string): boolean;
}

const isMediaSource = (a: unknown): a is MediaSource =>
  typeof (a as Partial<MediaSource> | undefined)?.downloadMedia === "function" &&
  typeof (a as Partial<MediaSource> | undefined)?.isMediaLink === "function";

export const MEDIA_PATH =
  /^\/matrix-media\/([^/]+)\/([A-Za-z0-9.:[\]-]+)\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]{32})(?:\/([^/]*))?$/;

export interface MediaAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const INLINE = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/)/;

export async function matrixMediaAnswer(
  adapters: ReadonlyMap<string, Adapter | MediaSource>,
  path: string,
): Promise<MediaAnswer | undefined> {
  const m = MEDIA_PATH.exec(path);
  if (!m) return undefined;
  const adapter = adapters.get(decodeURIComponent(m[1]));
  const server = decodeURIComponent(m[2]);
  if (!isMediaSource(adapter) || !adapter.isMediaLink(server, m[3], m[4]))
    return { status: 404, headers: { "content-type": "text/plain" }, body: "no such media\n" };
  try {
    const { data, contentType } = await adapter.downloadMedia(server, m[3]);
    const inline = INLINE.test(contentType);
    const name = (m[5] ? decodeURIComponent(m[5]) : "file").replace(/[^\w.-]+/g, "_").slice(0, 100) || "file";
    return {
      status: 200,
      headers: {
        "content-type": inline ? contentType : "application/octet-stream",
        "content-disposition": `${inline ? "inline" : "attachment"}; filename="${name}"`,
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "public, max-age=86400",
      },
      body: data,
    };
  } catch {
    return { status: 404, headers: { "content-type": "text/plain" }, body: "no such media\n" };
  }
}
