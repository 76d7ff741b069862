import { LogLevel, LogService } from "matrix-bot-sdk";
import type { AdapterDeps } from "../../core/adapter.js";

/**
 * The SDK logs through one process-wide LogService: route it to crier's logger, quietly (errors of requests are
 * handled — and logged — by the adapter itself, and the SDK would print every 429 as an error).
 */
export function routeSdkLogs(deps: AdapterDeps): void {
  const log = deps.log.child ? deps.log.child({ sdk: "matrix-bot-sdk" }) : deps.log;
  const text = (parts: unknown[]) =>
    parts.map((p) => (typeof p === "string" ? p : ((p as Error)?.message ?? JSON.stringify(p)))).join(" ");
  LogService.setLevel(LogLevel.WARN);
  LogService.setLogger({
    info: (m, ...p) => log.debug({ module: m }, text(p)),
    debug: (m, ...p) => log.debug({ module: m }, text(p)),
    trace: () => undefined,
    warn: (m, ...p) => log.warn({ module: m }, text(p)),
    error: (m, ...p) =>
      m === "MatrixHttpClient" ? log.debug({ module: m }, text(p)) : log.warn({ module: m }, text(p)),
  });
}
