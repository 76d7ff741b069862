import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before the port is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls every `everyMs` until `probe` resolves true, or fails after `ms` with `what` in the message. The one polling
 * wait of the tests (a probe that throws counts as not yet: a server still starting).
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean> | boolean,
  ms = 20_000,
  { everyMs = 50 }: { everyMs?: number } = {},
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
