/**
 * How the Matrix adapter meets the homeserver: as a bot (one user, /sync long polls: SyncingClient) or as an
 * application service (the homeserver pushes transactions; ghosts send: appservice.ts). Either way events reach
 * the adapter's SyncHandler as /sync-shaped batches, and crier's own account has one MatrixClient.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import type { Puppet, SenderShown } from "../../core/adapter.js";
import type { ChatEvent } from "../../core/model.js";
import type { Logger } from "../../core/log.js";
import { type SyncHandler, SyncingClient } from "./client.js";
import type { MatrixConfig } from "./config.js";
import { refusedLogin, resolveAccessToken } from "./login.js";
import type { StoreStorageProvider } from "./storage.js";

export const SYNC_FILTER = { room: { timeline: { limit: 50 }, state: { lazy_load_members: true } } };

export interface MatrixTransport {
  /** crier's own account (the bot user, or the application service's sender). */
  readonly client: MatrixClient;
  readonly selfId: string;
  /** Relayed messages are sent by ghosts (no name prefix). */
  readonly impersonates: boolean;
  /** Whether crier speaks as this user (itself or a ghost): such events are never relayed or listed as members. */
  isOwn(mxid: string): boolean;
  /** Reaches the homeserver (login, listener) before rooms are joined. */
  prepare(): Promise<void>;
  /** Starts handing events to the handler. */
  begin(): Promise<void>;
  /** Stops, waiting for the batch being handled. */
  stop(): Promise<void>;
  /** The ghost's client of a relayed sender, ready to send in `roomId` (impersonating transports only). */
  ghost?(sender: SenderShown & { puppet: Puppet }, roomId: string): Promise<MatrixClient>;
  /** The ghost of a sender takes their current name (nothing when it never became a user: it is named on first use). */
  rename?(sender: SenderShown & { puppet: Puppet }): Promise<void>;
  /** The ghost of `puppet` leaves `roomId` (nothing when it never became a user or is not there). */
  leave?(puppet: Puppet, roomId: string): Promise<void>;
  /** A last look at an inbound message (appservice: a pill of a ghost means the remote person it relays). */
  rewrite?(event: ChatEvent): Promise<ChatEvent>;
  /** The client of a user crier speaks as (to edit or redact what that user sent). */
  clientOf?(mxid: string): MatrixClient;
}

export interface BotTransportDeps {
  config: MatrixConfig;
  storage: StoreStorageProvider;
  log: Logger;
  onBatch: SyncHandler;
  onSyncError: (err: unknown) => void;
}

/** The bot: a token (given, or got by password login), one user, /sync. */
export async function botTransport(deps: BotTransportDeps): Promise<MatrixTransport> {
  const token = await resolveAccessToken(deps.config, deps.storage, deps.log);
  const client = new SyncingClient(
    deps.config.homeserver,
    token,
    deps.storage,
    deps.onBatch,
    deps.config.syncTimeoutMs,
  );
  client.onSyncError = deps.onSyncError;
  const selfId = await client.getUserId().catch((err) => {
    throw refusedLogin(err);
  });
  return {
    client,
    selfId,
    impersonates: false,
    isOwn: (mxid) => mxid === selfId,
    prepare: async () => undefined,
    begin: () => client.start(SYNC_FILTER),
    stop: () => client.stopAndSettle(),
  };
}
