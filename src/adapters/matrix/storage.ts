/**
 * matrix-bot-sdk's storage (sync token, filter, key/values) kept in crier's Store, one namespace per account, so
 * it lives under the state directory with everything else. The adapter's own values (the access token got by
 * password login, notices already given) use the same table.
 */
import type { IFilterInfo, IStorageProvider } from "matrix-bot-sdk";
import type { Store } from "../../store/store.js";

const TABLE = `CREATE TABLE IF NOT EXISTS matrix_state (account TEXT NOT NULL, skey TEXT NOT NULL, value TEXT,
  PRIMARY KEY (account, skey))`;

export class StoreStorageProvider implements IStorageProvider {
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly store: Store,
    private readonly account: string,
  ) {}

  private init(): Promise<unknown> {
    this.ready ??= this.store.run(TABLE);
    return this.ready;
  }

  async read(key: string): Promise<string | null> {
    await this.init();
    const row = await this.store.get<{ value: string | null }>(
      "SELECT value FROM matrix_state WHERE account = ? AND skey = ?",
      [this.account, key],
    );
    return row?.value ?? null;
  }

  async write(key: string, value: string | null): Promise<void> {
    await this.init();
    await this.store.run(
      `INSERT INTO matrix_state (account, skey, value) VALUES (?, ?, ?)
       ON CONFLICT (account, skey) DO UPDATE SET value = excluded.value`,
      [this.account, key, value],
    );
  }

  /** Drops this account's `prefix…` keys whose value (a time in ms) is before `before`. */
  async prune(prefix: string, before: number): Promise<void> {
    await this.init();
    await this.store.run("DELETE FROM matrix_state WHERE account = ? AND skey LIKE ? AND CAST(value AS BIGINT) < ?", [
      this.account,
      `${prefix}%`,
      before,
    ]);
  }

  async setSyncToken(token: string | null): Promise<void> {
    await this.write("sdk:sync_token", token);
  }

  getSyncToken(): Promise<string | null> {
    return this.read("sdk:sync_token");
  }

  async setFilter(filter: IFilterInfo): Promise<void> {
    await this.write("sdk:filter", JSON.stringify(filter));
  }

  async getFilter(): Promise<IFilterInfo> {
    const raw = await this.read("sdk:filter");
    return (raw ? JSON.parse(raw) : null) as IFilterInfo;
  }

  async storeValue(key: string, value: string): Promise<void> {
    await this.write(`kv:${key}`, value);
  }

  readValue(key: string): Promise<string | null> {
    return this.read(`kv:${key}`);
  }
}
