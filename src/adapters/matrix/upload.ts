/**
 * A file relayed into Matrix as Matrix media: read from its URL (another platform's CDN, which serves it without a
 * login), at most `maxBytes` and 30 s, uploaded to the homeserver's media repository, and sent as the event a
 * Matrix client shows inline (`m.image`, `m.video`, `m.audio`, else `m.file`). A file that cannot be read or is
 * too large becomes a link instead, so nothing is dropped.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import type { Attachment } from "../../core/model.js";

const READ_TIMEOUT_MS = 30_000;

export async function readCapped(
  url: string,
  maxBytes: number,
  timeoutMs = READ_TIMEOUT_MS,
): Promise<{ data: Buffer; type?: string } | undefined> {
  if (!/^https?:\/\//i.test(url)) return undefined;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  if (!res.ok || !res.body) return undefined;
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return { data: Buffer.concat(chunks), type: res.headers.get("content-type") ?? undefined };
}

const msgtypeOf = (mime: string) =>
  mime.startsWith("image/")
    ? "m.image"
    : mime.startsWith("video/")
      ? "m.video"
      : mime.startsWith("audio/")
        ? "m.audio"
        : "m.file";

/** The event content for one relayed file: uploaded media, or a link when it cannot be. */
export async function fileContent(
  client: MatrixClient,
  file: Attachment,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const name = (file.name || "file").slice(0, 200);
  const read = await readCapped(file.url, maxBytes).catch(() => undefined);
  if (!read) return { msgtype: "m.text", body: `${name}: ${file.url}` };
  const mime = (file.mime ?? read.type ?? "application/octet-stream").split(";")[0].trim();
  const mxc = await client.uploadContent(read.data, mime, name);
  return {
    msgtype: msgtypeOf(mime),
    body: name,
    filename: name,
    url: mxc,
    info: { mimetype: mime, size: read.data.length },
  };
}
