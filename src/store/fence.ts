/**
 * Fencing: the one small interface every side-effecting transaction uses to commit only while this instance still
 * holds the lease it was elected with (src/lifecycle/leadership.ts). With one instance (SQLite) nothing is fenced.
 */
import type { Queryable } from "./store.js";

/** This instance is no longer the active one: what it was doing must not commit or go out. */
export class FencedError extends Error {
  override name = "FencedError";
}

export interface Fence {
  /**
   * Inside a transaction: throws FencedError unless this instance's lease term is still the current one. On
   * PostgreSQL it takes a share lock on the lease row, so a takeover waits until this transaction has committed.
   */
  check(tx: Queryable): Promise<void>;
  /** Synchronous, no I/O: false once the lease may have run out by this process's own monotonic clock. */
  holds(): boolean;
}

/** What an instance says about its role (/healthz, /metrics, `!status`). */
export interface RoleStatus {
  role: "active" | "standby";
  /** This instance's name (`store.instance`, else host:pid). */
  instance: string;
  /** The lease term this instance holds, or the current one it saw as standby; null without a lease (SQLite). */
  term: number | null;
  /** The active instance's name as last seen, when known. */
  leader: string | null;
}

/** A single instance (SQLite store): always active, nothing to fence. */
export const unfenced: Fence = {
  check: async () => undefined,
  holds: () => true,
};
