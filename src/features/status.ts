/**
 * `!status` (admins): which instance is active (and the lease term, with PostgreSQL), then each account's
 * connection — state, since when, the last error and the next try.
 */
import { DateTime } from "luxon";
import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { type AccountReport, healthReport } from "../services/health.js";
import type { RoleStatus } from "../store/fence.js";
import { countdown } from "../services/templates.js";

const utc = (ms: number) => `${DateTime.fromMillis(ms, { zone: "UTC" }).toFormat("yyyy-LL-dd HH:mm:ss")} UTC`;

/** Seconds for what is near (a retry in 20 s), the templates' countdown beyond a minute. */
function inTime(at: number, now: number): string {
  const s = Math.round((at - now) / 1000);
  if (Math.abs(s) < 60) return s >= 0 ? `in ${s} s` : `${-s} s ago`;
  return countdown(at, now);
}

export function describeAccount(a: AccountReport, now: number): string {
  const parts = [`${a.account}: ${a.state} since ${utc(a.since)}`];
  if (a.state !== "connected" && a.failures) parts.push(`${a.failures} failed tr${a.failures === 1 ? "y" : "ies"}`);
  if (a.lastError && a.lastErrorAt !== undefined)
    parts.push(`last error ${inTime(a.lastErrorAt, now)}: ${a.lastError}`);
  if (a.nextRetryAt !== undefined) parts.push(`next try ${inTime(a.nextRetryAt, now)}`);
  return parts.join(", ");
}

export function describeRole(r: RoleStatus): string {
  if (r.term === null) return `active instance: ${r.instance}`;
  if (r.role === "active") return `active instance: ${r.instance} (this one; lease term ${r.term})`;
  return `active instance: ${r.leader ?? "none yet"} (lease term ${r.term}); this one, ${r.instance}, is a standby`;
}

export const statusFeature: Feature = {
  name: "status",
  commands: [
    {
      name: "status",
      summary: "the active instance; each account's state, since when, last error, next try",
      usage: "!status",
      examples: [{ input: "!status", expect: /console: connected since \d{4}-\d\d-\d\d/, asAdmin: true }],
      permission: "admin",
      async run(_args: string, ctx: CommandContext) {
        const report = await healthReport(ctx.app);
        const now = ctx.now();
        const lines = report.accounts.map((a) => describeAccount(a, now));
        if (!lines.length) lines.push("no accounts are configured");
        if (!report.ok) lines.unshift("the store is unavailable: crier cannot record or deliver anything");
        return [describeRole(report.role), ...lines].join("\n");
      },
    },
  ],
};
