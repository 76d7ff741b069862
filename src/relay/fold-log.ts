/**
 * Messages the flood policy folded (flood.ts), kept so that nothing folded is lost: the fold line links to crier's
 * page of its run (`/folded/<id>`), which lists every one of them in the order they were said. Kept as long as the
 * message map keeps messages (`relay.retention`).
 */
import type { FoldedMessage, FoldedRun } from "../core/model.js";
import type { Migration, Queryable, Store } from "../store/store.js";

export const foldLogMigrations: Migration[] = [
  {
    id: "relay/2-fold-log",
    sql: `CREATE TABLE relay_folded (fold_id TEXT NOT NULL, seq INTEGER NOT NULL, target_account TEXT NOT NULL,
            target_room TEXT NOT NULL, origin_account TEXT NOT NULL, origin_room TEXT NOT NULL, author_name TEXT NOT NULL,
            text TEXT NOT NULL, said_at BIGINT NOT NULL, PRIMARY KEY (fold_id, seq));
          CREATE INDEX relay_folded_age ON relay_folded (said_at)`,
  },
];

/** One folded message's text is kept up to this many characters (a paste page keeps 256 KiB; a flood is many). */
const MAX_FOLDED_TEXT = 16 * 1024;

export class FoldLog {
  constructor(private readonly store: Store) {}

  /** Records the `seq`th message of run `foldId`, in the transaction that records the message itself. */
  async record(
    tx: Queryable,
    foldId: string,
    seq: number,
    where: { target: { account: string; room: string }; origin: { account: string; room: string } },
    message: FoldedMessage,
  ): Promise<void> {
    await tx.run(
      `INSERT INTO relay_folded (fold_id, seq, target_account, target_room, origin_account, origin_room, author_name, text, said_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fold_id, seq) DO NOTHING`,
      [
        foldId,
        seq,
        where.target.account,
        where.target.room,
        where.origin.account,
        where.origin.room,
        message.author,
        message.text.slice(0, MAX_FOLDED_TEXT),
        message.at,
      ],
    );
  }

  async read(foldId: string): Promise<FoldedRun | undefined> {
    const rows = await this.store.all<{
      target_account: string;
      target_room: string;
      origin_account: string;
      origin_room: string;
      author_name: string;
      text: string;
      said_at: number | string;
    }>(
      `SELECT target_account, target_room, origin_account, origin_room, author_name, text, said_at
       FROM relay_folded WHERE fold_id = ? ORDER BY seq`,
      [foldId],
    );
    if (!rows.length) return undefined;
    return {
      target: { account: rows[0].target_account, room: rows[0].target_room },
      origin: { account: rows[0].origin_account, room: rows[0].origin_room },
      messages: rows.map((r) => ({ author: r.author_name, text: r.text, at: Number(r.said_at) })),
    };
  }

  async prune(before: number): Promise<number> {
    return (await this.store.run("DELETE FROM relay_folded WHERE said_at < ?", [before])).changes;
  }
}
