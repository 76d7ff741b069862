/**
 * crier's one backoff policy: how long to wait after a failure before trying again. The delay doubles from
 * `initialMs` with each failure up to `maxMs`, then jitter spreads it, so that many clients cut off together (one
 * network outage, one server restart) do not come back in step. Each user keeps its own numbers: reconnects
 * (core/connection.ts), outbox retries (delivery/outbox.ts), advisory polls (features/advisories/watcher.ts).
 * `random` is a parameter so tests can make the sequence exact.
 */

/**
 * - `half`: uniform in [d/2, d), whole milliseconds — never quicker than half the nominal delay.
 * - `{ spread }`: uniform in [d·(1 − spread), d·(1 + spread)) — around the nominal delay.
 * - `none`: exactly d.
 */
export type Jitter = "none" | "half" | { spread: number };

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  jitter: Jitter;
}

export type RandomSource = () => number;

/** `ms` spread by the jitter; `random` returns values in [0, 1) like Math.random. */
export function jittered(ms: number, jitter: Jitter, random: RandomSource = Math.random): number {
  if (jitter === "none") return ms;
  if (jitter === "half") return Math.floor((ms + random() * ms) / 2);
  return ms * (1 - jitter.spread + random() * 2 * jitter.spread);
}

/** The wait after failure number `attempt` + 1 (`attempt` 0 is the first failure: `initialMs`, jittered). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: RandomSource = Math.random): number {
  // 2 ** attempt is Infinity past 1023 failures; the cap still applies.
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  return jittered(nominal, policy.jitter, random);
}

/** The longest wait the policy ever asks for (the cap, jittered upwards as far as it goes). */
export function longestDelay(policy: BackoffPolicy): number {
  const j = policy.jitter;
  return j === "none" || j === "half" ? policy.maxMs : policy.maxMs * (1 + j.spread);
}
