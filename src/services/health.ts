/**
 * What crier says about itself: each account's connection (state, since when, last error, next retry) and whether
 * crier as a whole can work. Unhealthy means crier itself cannot work (its store fails); an account that is down is
 * reported, not counted as unhealthy — it is retried, and the other accounts go on.
 */
import type { Adapter } from "../core/adapter.js";
import type { AccountStatus } from "../core/connection.js";
import type { AppContext } from "../core/context.js";
import type { RoleStatus } from "../store/fence.js";

export interface AccountReport extends AccountStatus {
  account: string;
}

export interface HealthReport {
  ok: boolean;
  store: "ok" | "unavailable";
  /** Active or standby (a standby is healthy: it is ready to take over). */
  role: RoleStatus;
  accounts: AccountReport[];
}

/** One account's status; adapters without a tracker (the console) report their state alone. */
export function accountReport(adapter: Adapter, startedAt: number): AccountReport {
  const status = adapter.status?.() ?? { state: adapter.state(), since: startedAt, failures: 0 };
  return { account: adapter.account, ...status };
}

const processStartedAt = Date.now() - Math.round(process.uptime() * 1000);

export async function healthReport(app: AppContext): Promise<HealthReport> {
  let store: HealthReport["store"] = "ok";
  try {
    await app.store.get("SELECT 1 AS ok");
  } catch {
    store = "unavailable";
  }
  const accounts = [...app.adapters.values()]
    .map((a) => accountReport(a, processStartedAt))
    .sort((a, b) => a.account.localeCompare(b.account));
  return { ok: store === "ok", store, role: app.role(), accounts };
}

/** The same report for /healthz readers: instants as ISO-8601 UTC strings. */
export function healthJson(report: HealthReport): string {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return `${JSON.stringify({
    ok: report.ok,
    store: report.store,
    role: report.role.role,
    instance: report.role.instance,
    term: report.role.term,
    leader: report.role.leader,
    accounts: report.accounts.map((a) => ({
      account: a.account,
      state: a.state,
      since: iso(a.since),
      failures: a.failures,
      lastError: a.lastError,
      lastErrorAt: iso(a.lastErrorAt),
      nextRetryAt: iso(a.nextRetryAt),
    })),
  })}\n`;
}
