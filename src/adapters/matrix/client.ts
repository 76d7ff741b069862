/**
 * matrix-bot-sdk's client with its sync processing replaced: the SDK emits events without waiting for their
 * handlers and cannot see `limited` timelines, so crier takes each whole /sync answer, handles it (back-filling gaps
 * first), and only then saves the next sync token itself (the SDK's own save is switched off, so that nothing
 * touches the store after stop() has waited for the sync in hand).
 *
 * Application-service mode (appservice.ts) uses the SDK's Appservice instead and feeds the same SyncHandler from the
 * homeserver's transactions.
 */
import { type IStorageProvider, MatrixClient } from "matrix-bot-sdk";

// biome-ignore lint/suspicious/noExplicitAny: a raw /sync answer.
export type SyncHandler = (sync: any, since: string | null) => Promise<void>;

export class SyncingClient extends MatrixClient {
  private stopped = false;
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    homeserver: string,
    accessToken: string,
    private readonly store: IStorageProvider,
    private readonly handler: SyncHandler,
    syncTimeoutMs: number,
  ) {
    super(homeserver, accessToken, {
      ...bind(store),
      setSyncToken: () => undefined,
    });
    this.syncingTimeout = syncTimeoutMs;
  }

  /** Told when a /sync fails (the SDK retries on its own, with backoff) — for the connection state and logs. */
  onSyncError: ((err: unknown) => void) | undefined;

  // biome-ignore lint/suspicious/noExplicitAny: a raw /sync answer.
  override async doSync(token: string): Promise<any> {
    try {
      return await super.doSync(token);
    } catch (err) {
      if (!this.stopped) this.onSyncError?.(err);
      throw err;
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: a raw /sync answer.
  override async processSync(raw: any): Promise<void> {
    // A long poll that returns after stop() must neither be handled nor move the saved position.
    if (this.stopped) throw new Error("stopped");
    // The token saved now is the one this sync started from (it is replaced only after this returns).
    const since = await Promise.resolve(this.store.getSyncToken());
    const work = (async () => {
      await this.handler(raw, since);
      if (typeof raw?.next_batch === "string") await this.store.setSyncToken(raw.next_batch);
    })();
    this.inflight = work.catch(() => undefined);
    await work;
  }

  /** Stops syncing and waits until the sync being handled (if any) is done and its position saved. */
  async stopAndSettle(): Promise<void> {
    this.stopped = true;
    super.stop();
    await this.inflight;
  }
}

function bind(store: IStorageProvider): IStorageProvider {
  return {
    setSyncToken: (t) => store.setSyncToken(t),
    getSyncToken: () => store.getSyncToken(),
    setFilter: (f) => store.setFilter(f),
    getFilter: () => store.getFilter(),
    storeValue: (k, v) => store.storeValue(k, v),
    readValue: (k) => store.readValue(k),
  };
}
