/**
 * SEQUENCE and DTSTAMP for the calendar (RFC 5545 §3.8.7.3, §3.8.7.4): a client only replaces its copy of an event
 * when SEQUENCE grows, so each UID keeps a hash of what a calendar shows of it and counts its changes. Rows are never
 * deleted, so a meeting removed and added back does not start over at 0 (a lower SEQUENCE would be ignored).
 */
import { createHash } from "node:crypto";
import type { AppContext } from "../core/context.js";
import type { Migration } from "../store/store.js";

export const icsMigrations: Migration[] = [
  {
    id: "web/1-ics-sequence",
    sql: `CREATE TABLE ics_sequence (uid TEXT PRIMARY KEY, hash TEXT NOT NULL, seq INTEGER NOT NULL,
            changed_at BIGINT NOT NULL)`,
  },
];

export interface Revision {
  seq: number;
  /** When the event last changed (or was first published): its DTSTAMP and LAST-MODIFIED. */
  changedAt: number;
}

/** The revision of each event, given the fields that matter to a calendar; a changed hash bumps SEQUENCE. */
export async function revisions(
  app: AppContext,
  events: Array<{ uid: string; fields: unknown[] }>,
): Promise<Map<string, Revision>> {
  const out = new Map<string, Revision>();
  if (!events.length) return out;
  const hashes = new Map(
    events.map((e) => [e.uid, createHash("sha256").update(JSON.stringify(e.fields)).digest("hex")]),
  );
  const known = await app.store.all<{ uid: string; hash: string; seq: number; changed_at: number }>(
    `SELECT uid, hash, seq, changed_at FROM ics_sequence WHERE uid IN (${[...hashes.keys()].map(() => "?").join(", ")})`,
    [...hashes.keys()],
  );
  for (const r of known)
    if (r.hash === hashes.get(r.uid)) out.set(r.uid, { seq: Number(r.seq), changedAt: Number(r.changed_at) });
  const stale = [...hashes].filter(([uid]) => !out.has(uid));
  if (!stale.length) return out;
  const now = app.clock.now();
  await app.store.tx(async (tx) => {
    for (const [uid, hash] of stale) {
      // Conditional writes, so two requests seeing the same change at once bump SEQUENCE only once.
      await tx.run(
        "INSERT INTO ics_sequence (uid, hash, seq, changed_at) VALUES (?, ?, 0, ?) ON CONFLICT (uid) DO NOTHING",
        [uid, hash, now],
      );
      await tx.run("UPDATE ics_sequence SET hash = ?, seq = seq + 1, changed_at = ? WHERE uid = ? AND hash <> ?", [
        hash,
        now,
        uid,
        hash,
      ]);
      const r = await tx.get<{ seq: number; changed_at: number }>(
        "SELECT seq, changed_at FROM ics_sequence WHERE uid = ?",
        [uid],
      );
      out.set(uid, { seq: Number(r!.seq), changedAt: Number(r!.changed_at) });
    }
  });
  return out;
}
