/**
 * Fetching a remote document safely: a timeout for the whole exchange (a server that never finishes is cut off), a
 * body cap counted while streaming (a 1 GB body is never held), redirects followed only to the same host unless
 * allowed, and conditional GET so unchanged feeds cost one 304.
 */
import type { FetchState } from "./types.js";

export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs?: number;
  allowRedirectHosts?: string[];
  headers?: Record<string, string>;
  state?: FetchState;
}

export interface SafeFetchResult {
  status: number;
  body: string;
  state: FetchState;
}

export class FetchError extends Error {
  override name = "FetchError";
}

export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 20_000);
  try {
    const origin = new URL(url);
    if (!["http:", "https:"].includes(origin.protocol)) throw new FetchError(`refusing ${origin.protocol} URL`);
    let current = origin;
    for (let hop = 0; hop < 5; hop++) {
      const headers: Record<string, string> = {
        "user-agent": "crier advisory watcher",
        accept: "*/*",
        ...opts.headers,
      };
      if (opts.state?.etag) headers["if-none-match"] = opts.state.etag;
      if (opts.state?.lastModified) headers["if-modified-since"] = opts.state.lastModified;
      const res = await fetch(current, { headers, redirect: "manual", signal: controller.signal });
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        const loc = res.headers.get("location");
        await res.body?.cancel();
        if (!loc) throw new FetchError(`redirect without a location from ${current.host}`);
        const next = new URL(loc, current);
        if (next.host !== origin.host && !(opts.allowRedirectHosts ?? []).includes(next.host)) {
          throw new FetchError(`redirect to another host (${next.host}) refused; allow it with allowRedirectHosts`);
        }
        current = next;
        continue;
      }
      const state: FetchState = {
        etag: res.headers.get("etag") ?? undefined,
        lastModified: res.headers.get("last-modified") ?? undefined,
      };
      if (res.status === 304) {
        await res.body?.cancel();
        return { status: 304, body: "", state: opts.state ?? state };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new FetchError(`HTTP ${res.status} from ${current.host}`);
      }
      const declared = Number(res.headers.get("content-length") ?? 0);
      if (declared > opts.maxBytes) {
        await res.body?.cancel();
        throw new FetchError(`body of ${declared} bytes is over the ${opts.maxBytes}-byte cap`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = res.body?.getReader();
      for (;;) {
        const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
        if (done || !value) break;
        size += value.byteLength;
        if (size > opts.maxBytes) {
          await reader?.cancel();
          throw new FetchError(`body over the ${opts.maxBytes}-byte cap`);
        }
        chunks.push(value);
      }
      return { status: res.status, body: Buffer.concat(chunks).toString("utf8"), state };
    }
    throw new FetchError("too many redirects");
  } catch (err) {
    if ((err as Error).name === "AbortError")
      throw new FetchError(`no complete answer within ${(opts.timeoutMs ?? 20_000) / 1000} s`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
