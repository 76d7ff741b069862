import type { AppContext } from "../core/context.js";
import type { QueueStatus } from "../delivery/outbox.js";

/** Queue depths and connection states, computed when /metrics is scraped. */
export function registerCoreMetrics(ctx: AppContext): void {
  // No labels: Prometheus's own `instance` label already tells the processes apart.
  ctx.metrics.collect("crier_leader", "1 when this instance is the active one (holds the lease)", [], async () => [
    { labels: {}, value: ctx.role().role === "active" ? 1 : 0 },
  ]);
  ctx.metrics.collect(
    "crier_lease_term",
    "the lease term this instance holds or last saw (0: no lease)",
    [],
    async () => [{ labels: {}, value: ctx.role().term ?? 0 }],
  );
  ctx.metrics.collect("crier_outbox_pending", "messages waiting to be delivered, per account", ["account"], async () =>
    (await ctx.outbox.depths()).map((d) => ({ labels: { account: d.account }, value: Number(d.pending) })),
  );
  ctx.metrics.collect(
    "crier_outbox_parked",
    "messages that could not be delivered and were parked",
    ["account"],
    async () => (await ctx.outbox.depths()).map((d) => ({ labels: { account: d.account }, value: Number(d.parked) })),
  );
  const roomLabels = ["account", "room"];
  const rooms = (value: (d: QueueStatus, now: number) => number) => async () => {
    const now = ctx.clock.now();
    return (await ctx.outbox.roomDepths()).map((d) => ({
      labels: { account: d.account, room: d.room ?? "" },
      value: value(d, now),
    }));
  };
  ctx.metrics.collect(
    "crier_outbox_room_pending",
    "messages waiting to be delivered, per room",
    roomLabels,
    rooms((d) => d.pending),
  );
  ctx.metrics.collect(
    "crier_outbox_room_parked",
    "messages parked, per room",
    roomLabels,
    rooms((d) => d.parked),
  );
  ctx.metrics.collect(
    "crier_outbox_room_oldest_seconds",
    "age of the oldest message waiting, per room",
    roomLabels,
    rooms((d, now) => (d.oldest === null ? 0 : (now - d.oldest) / 1000)),
  );
  ctx.metrics.collect(
    "crier_outbox_combined_total",
    "messages that went out combined with others of their sender into one platform message",
    ["account"],
    async () => [...ctx.outbox.combined].map(([account, value]) => ({ labels: { account }, value })),
  );
  ctx.metrics.collect("crier_account_connected", "1 when the account is connected", ["account"], async () =>
    [...ctx.adapters.values()].map((a) => ({
      labels: { account: a.account },
      value: a.state() === "connected" ? 1 : 0,
    })),
  );
}
