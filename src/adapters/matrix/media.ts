/**
 * Matrix media (`mxc://server/id`) → an https URL people on other platforms can open. Homeservers with
 * authenticated media (Synapse's default) need a token for `/_matrix/client/v1/media/download`, so when crier's
 * web server is given (`mediaPublicUrl`) links point there instead, under
 * `/matrix-media/<account>/<server>/<id>/<name>`, for it to fetch with crier's token (media-route.ts).
 */
const MXC = /^mxc:\/\/([A-Za-z0-9.:[\]-]+)\/([A-Za-z0-9_-]+)$/;

export interface MediaRef {
  server: string;
  mediaId: string;
}

export function parseMxc(mxc: string): MediaRef | undefined {
  const m = MXC.exec(mxc);
  return m ? { server: m[1], mediaId: m[2] } : undefined;
}

export function mediaUrl(
  mxc: string,
  name: string,
  opts: { homeserver: string; publicUrl?: string; account?: string },
): string | undefined {
  const ref = parseMxc(mxc);
  if (!ref) return undefined;
  const file = encodeURIComponent(name || "file");
  if (opts.publicUrl)
    return `${opts.publicUrl.replace(/\/+$/, "")}/matrix-media/${encodeURIComponent(opts.account ?? "matrix")}/${encodeURIComponent(ref.server)}/${ref.mediaId}/${file}`;
  return `${opts.homeserver.replace(/\/+$/, "")}/_matrix/client/v1/media/download/${encodeURIComponent(ref.server)}/${ref.mediaId}/${file}`;
}
