/**
 * Dedupe and delivery. Records that share a CVE or GHSA id are one vulnerability; (room, vulnerability) is unique in
 * the ledger, and a notice is enqueued in the outbox in the same transaction that writes its ledger row, so a crash
 * between fetching and posting neither loses nor repeats it.
 */
import type { AppContext } from "../../core/context.js";
import type { RoomRef } from "../../core/model.js";
import type { OutboxItem } from "../../delivery/outbox.js";
import type { Migration, Queryable } from "../../store/store.js";
import { renderNotice, renderWithdrawal } from "./render.js";
import type { Advisory } from "./types.js";

export const advisoryMigrations: Migration[] = [
  {
    id: "advisories/1-ledger",
    sql: `CREATE TABLE advisory_sources (id TEXT PRIMARY KEY, subscribed_at BIGINT NOT NULL, etag TEXT, last_modified TEXT,
            last_poll BIGINT, last_ok BIGINT, failures INTEGER NOT NULL DEFAULT 0, last_error TEXT);
          CREATE TABLE advisory_ids (alias TEXT PRIMARY KEY, vuln TEXT NOT NULL);
          CREATE TABLE advisory_deliveries (room TEXT NOT NULL, vuln TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (room, vuln));
          CREATE TABLE advisory_pending (source TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, due BIGINT NOT NULL, PRIMARY KEY (source, id));
          CREATE INDEX advisory_pending_due ON advisory_pending (due)`,
  },
  {
    id: "advisories/2-seen",
    sql: "CREATE TABLE advisory_seen (source TEXT NOT NULL, id TEXT NOT NULL, first_seen BIGINT NOT NULL, PRIMARY KEY (source, id))",
  },
  {
    id: "advisories/3-withdrawals",
    sql: "CREATE TABLE advisory_withdrawals (room TEXT NOT NULL, vuln TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (room, vuln))",
  },
];

/** Records that a source listed this item; true the first time. */
export async function firstSighting(app: AppContext, sourceId: string, id: string): Promise<boolean> {
  const r = await app.store.run(
    "INSERT INTO advisory_seen (source, id, first_seen) VALUES (?, ?, ?) ON CONFLICT (source, id) DO NOTHING",
    [sourceId, id.slice(0, 500), app.clock.now()],
  );
  return r.changes > 0;
}

/** How many items a source has listed, and the ids of the newest few (what `!advisories` shows). */
export async function seenBy(app: AppContext, sourceId: string, limit = 5): Promise<{ count: number; ids: string[] }> {
  const n = await app.store.get<{ n: number }>("SELECT COUNT(*) AS n FROM advisory_seen WHERE source = ?", [sourceId]);
  const rows = await app.store.all<{ id: string }>(
    "SELECT id FROM advisory_seen WHERE source = ? ORDER BY first_seen DESC, id LIMIT ?",
    [sourceId, limit],
  );
  return { count: Number(n?.n ?? 0), ids: rows.map((r) => r.id) };
}

/** The vulnerability an advisory belongs to: the one any of its aliases already names, else a new one. */
async function vulnerabilityOf(tx: Queryable, sourceId: string, a: Advisory): Promise<string> {
  const aliases = a.aliases.length ? a.aliases : [`${sourceId}:${a.id}`];
  let vuln: string | undefined;
  for (const alias of aliases) {
    const row = await tx.get<{ vuln: string }>("SELECT vuln FROM advisory_ids WHERE alias = ?", [alias]);
    if (row) {
      vuln = row.vuln;
      break;
    }
  }
  vuln ??= `vuln:${aliases[0]}`;
  for (const alias of aliases)
    await tx.run("INSERT INTO advisory_ids (alias, vuln) VALUES (?, ?) ON CONFLICT (alias) DO NOTHING", [alias, vuln]);
  return vuln;
}

/** Posts an advisory to every target room that has not had this vulnerability yet; returns how many notices. */
export async function deliver(
  app: AppContext,
  sourceId: string,
  a: Advisory,
  rooms: RoomRef[],
  notBefore: number,
): Promise<number> {
  return app.store.tx(async (tx) => {
    await app.fence.check(tx);
    const vuln = await vulnerabilityOf(tx, sourceId, a);
    const items: OutboxItem[] = [];
    for (const room of rooms) {
      const roomKey = `${room.account}/${room.room}`;
      const r = await tx.run(
        "INSERT INTO advisory_deliveries (room, vuln, at) VALUES (?, ?, ?) ON CONFLICT (room, vuln) DO NOTHING",
        [roomKey, vuln, app.clock.now()],
      );
      if (!r.changes) continue;
      items.push({
        account: room.account,
        notBefore,
        message: {
          room: room.room,
          body: renderNotice(a),
          kind: "notice",
          idempotencyKey: `advisory:${vuln}->${roomKey}`,
        },
      });
    }
    if (items.length) await app.outbox.enqueue(items, tx);
    return items.length;
  });
}

/**
 * An advisory withdrawn after it was posted: one short withdrawal notice in each room that had the notice, once
 * (advisory_withdrawals). A withdrawn record never posted anywhere says nothing. Returns how many notices.
 */
export async function withdraw(app: AppContext, a: Advisory, notBefore: number): Promise<number> {
  return app.store.tx(async (tx) => {
    await app.fence.check(tx);
    let vuln: string | undefined;
    for (const alias of a.aliases) {
      vuln = (await tx.get<{ vuln: string }>("SELECT vuln FROM advisory_ids WHERE alias = ?", [alias]))?.vuln;
      if (vuln) break;
    }
    if (!vuln) return 0;
    const rooms = await tx.all<{ room: string }>("SELECT room FROM advisory_deliveries WHERE vuln = ?", [vuln]);
    const items: OutboxItem[] = [];
    for (const { room: roomKey } of rooms) {
      const r = await tx.run(
        "INSERT INTO advisory_withdrawals (room, vuln, at) VALUES (?, ?, ?) ON CONFLICT (room, vuln) DO NOTHING",
        [roomKey, vuln, app.clock.now()],
      );
      if (!r.changes) continue;
      const at = roomKey.indexOf("/");
      items.push({
        account: roomKey.slice(0, at),
        notBefore,
        message: {
          room: roomKey.slice(at + 1),
          body: renderWithdrawal(a),
          kind: "notice",
          idempotencyKey: `advisory-withdrawn:${vuln}->${roomKey}`,
        },
      });
    }
    if (items.length) await app.outbox.enqueue(items, tx);
    return items.length;
  });
}

/** Holds an advisory announced for the future until it is public. */
export async function hold(app: AppContext, sourceId: string, a: Advisory): Promise<void> {
  await app.store.run(
    "INSERT INTO advisory_pending (source, id, payload, due) VALUES (?, ?, ?, ?) ON CONFLICT (source, id) DO UPDATE SET payload = excluded.payload, due = excluded.due",
    [sourceId, a.id, JSON.stringify(a), a.published ?? app.clock.now()],
  );
}

export async function duePending(app: AppContext): Promise<Array<{ source: string; advisory: Advisory }>> {
  const rows = await app.store.all<{ source: string; id: string; payload: string }>(
    "SELECT source, id, payload FROM advisory_pending WHERE due <= ? ORDER BY due LIMIT 500",
    [app.clock.now()],
  );
  return rows.map((r) => ({ source: r.source, advisory: JSON.parse(r.payload) as Advisory }));
}

export async function dropPending(app: AppContext, source: string, id: string): Promise<void> {
  await app.store.run("DELETE FROM advisory_pending WHERE source = ? AND id = ?", [source, id]);
}

export async function nextPendingDue(app: AppContext): Promise<number | undefined> {
  const r = await app.store.get<{ t: number | null }>("SELECT MIN(due) AS t FROM advisory_pending");
  return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
}
