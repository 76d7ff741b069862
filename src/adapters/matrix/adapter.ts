/**
 * The Matrix adapter on matrix-bot-sdk, as a bot user or as an application service (transport.ts, appservice.ts:
 * relayed messages then come from ghosts, one Matrix user per remote person). No end-to-end encryption (the SDK's
 * crypto module is a stand-in). Events: SyncHandler; rendering: render.ts; sends with crier's own transaction ids:
 * send.ts. Connecting is retried forever in the background, so an unreachable homeserver never stops crier starting.
 */
import {
  type Adapter,
  type AdapterDeps,
  type Capabilities,
  type ConnectionState,
  type EventSink,
  type OutgoingMessage,
  PermanentSendError,
  type RoomMember,
  type SendResult,
} from "../../core/adapter.js";
import { type AccountStatus, ConnectionTracker, Reconnector } from "../../core/connection.js";
import { parseDuration } from "../../core/duration.js";
import { matrixMediaAnswer } from "./media-route.js";
import type { RoomRef, UserRef } from "../../core/model.js";
import type { RichText } from "../../core/richtext.js";
import type { MatrixClient } from "matrix-bot-sdk";
import { appserviceTransport } from "./appservice.js";
import type { MatrixConfig } from "./config.js";
import { isRefusedLogin } from "./login.js";
import { routeSdkLogs } from "./sdk-logs.js";
import { isMediaToken, mediaKey, mediaUrl } from "./media.js";
import type { SendHooks } from "./send.js";
import {
  type ActContext,
  deleteMessages,
  editMessage,
  matrixCapabilities,
  reactTo,
  sayNotice,
  sendMessage,
} from "./acting.js";
import { StoreStorageProvider } from "./storage.js";
import { SyncHandler } from "./sync-handler.js";
import { localpart, MatrixRoster } from "./roster.js";
import { botTransport, type MatrixTransport } from "./transport.js";

export class MatrixAdapter implements Adapter {
  readonly capabilities: Capabilities;
  private readonly storage: StoreStorageProvider;
  private transport: MatrixTransport | undefined;
  private client: MatrixClient | undefined;
  private handler: SyncHandler | undefined;
  private roster: MatrixRoster | undefined;
  private sink: EventSink | undefined;
  /** Signs the media links crier hands to other platforms (media.ts). */
  private linkKey: Buffer | undefined;
  private readonly tracker = new ConnectionTracker();
  private readonly reconnector = new Reconnector({ maxMs: 60_000 });
  private stopping = false;
  private selfId: string | undefined;
  private displayName: string | undefined;
  private synced!: Promise<void>;
  private markSynced!: () => void;
  /** Configured name (alias or id) ⇄ room id. */
  private readonly idOf = new Map<string, string>();
  private readonly nameOf = new Map<string, string>();
  /** Count of 429 answers met while sending (tests and metrics). */
  rateLimited = 0;

  constructor(
    readonly account: string,
    private readonly config: MatrixConfig,
    private readonly deps: AdapterDeps,
  ) {
    this.storage = new StoreStorageProvider(deps.store, account);
    this.capabilities = matrixCapabilities(config.mode === "appservice");
    this.resetSynced();
    routeSdkLogs(deps);
  }

  private resetSynced(): void {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  rooms(): string[] {
    return this.config.rooms;
  }

  state(): ConnectionState {
    return this.tracker.state;
  }

  status(): AccountStatus {
    return this.tracker.snapshot();
  }

  /** The bot's display name, else its localpart. */
  selfName(): string | undefined {
    return this.displayName || this.selfId?.replace(/^@/, "").split(":")[0];
  }

  /** Resolves once the first sync after start has been handled (tests wait on it). */
  whenSynced(): Promise<void> {
    return this.synced;
  }

  /** Rooms crier found end-to-end encrypted (they are announced, never read or linked). */
  encryptedRooms(): string[] {
    return [...(this.handler?.encryptedRooms ?? [])];
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.stopping = false;
    this.linkKey = await mediaKey(this.deps.store, this.account);
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    this.tracker.set("connecting");
    try {
      await this.open();
      this.reconnector.reset();
    } catch (err) {
      await this.transport?.stop().catch(() => undefined);
      this.transport = undefined;
      this.client = undefined;
      if (this.stopping) return;
      if (isRefusedLogin(err)) {
        this.tracker.failed(err);
        this.deps.fatal?.(`Matrix account ${this.account}: ${(err as Error).message}`);
        return;
      }
      const delay = this.reconnector.schedule(() => void this.connect());
      this.tracker.failed(err, delay);
      this.deps.log.warn({ err: (err as Error).message, retryInMs: Math.round(delay) }, "Matrix connect failed");
      this.deps.metrics?.inc("crier_reconnects_total", "reconnect attempts per account", { account: this.account });
    }
  }

  private async open(): Promise<void> {
    const startedAt = this.deps.clock.now();
    let handler: SyncHandler | undefined;
    const onBatch = async (sync: unknown, since: string | null) => {
      await handler?.handle(sync, since);
      this.tracker.set("connected");
      this.markSynced();
    };
    const transport =
      this.config.mode === "appservice"
        ? appserviceTransport({
            ...this.deps,
            account: this.account,
            config: this.config,
            storage: this.storage,
            onBatch,
          })
        : await botTransport({
            config: this.config,
            storage: this.storage,
            log: this.deps.log,
            onBatch,
            onSyncError: (err) => this.onSyncError(err),
          });
    this.transport = transport;
    const { client, selfId } = transport;
    this.selfId = selfId;
    await transport.prepare();
    this.displayName = (await client.getUserProfile(this.selfId).catch(() => undefined))?.displayname;
    const roster = new MatrixRoster(this.account, transport.isOwn, client);
    this.roster = roster;
    handler = new SyncHandler({
      account: this.account,
      config: this.config,
      client,
      selfId: this.selfId,
      isOwn: transport.isOwn,
      log: this.deps.log,
      sink: () => this.sink,
      isAdmin: (mxid) => this.isConfiguredAdmin(mxid),
      roomName: (roomId) => this.nameOf.get(roomId) ?? roomId,
      isConfiguredRoom: (roomId) => this.nameOf.has(roomId),
      mediaUrl: (mxc, name) =>
        mediaUrl(mxc, name, {
          homeserver: this.config.homeserver,
          publicUrl: this.config.mediaPublicUrl ?? this.deps.publicUrl,
          account: this.account,
          key: this.linkKey,
        }),
      notice: (roomId, text, onceKey) => this.notice(roomId, text, onceKey),
      startedAt,
      now: () => this.deps.clock.now(),
      backfillWindowMs: parseDuration(this.config.backfillWindow) ?? 6 * 3_600_000,
      onMember: (roomId, ev) => roster.onMember(roomId, ev),
      rewrite: transport.rewrite,
    });
    this.client = client;
    this.handler = handler;
    for (const name of this.config.rooms) {
      try {
        const roomId = await client.joinRoom(name);
        this.idOf.set(name, roomId);
        this.nameOf.set(roomId, name);
        await handler.checkEncryption(roomId);
      } catch (err) {
        this.deps.log.error({ room: name, err: (err as Error).message }, "could not join a configured Matrix room");
      }
    }
    await transport.begin();
    if (transport.impersonates) this.markSynced();
    // Up once the homeserver knows crier and the rooms are joined: sends work now, and the first /sync (a long poll
    // of up to syncTimeoutMs with a saved position) must not hold back delivery.
    this.tracker.set("connected");
    this.deps.log.info({ user: this.selfId, rooms: this.idOf.size }, "Matrix connected; syncing");
  }

  private onSyncError(err: unknown): void {
    if (this.tracker.state === "connected") {
      this.deps.log.warn({ err: (err as Error)?.message }, "Matrix sync failed; retrying");
      this.deps.metrics?.inc("crier_reconnects_total", "reconnect attempts per account", { account: this.account });
    }
    // The SDK retries the sync by itself (its own backoff); no time of the next try is known.
    this.tracker.failed(err);
    this.tracker.set("connecting");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnector.cancel();
    await this.transport?.stop();
    this.transport = undefined;
    this.client = undefined;
    this.tracker.set("disconnected");
    this.resetSynced();
  }

  private isConfiguredAdmin(mxid: string): boolean {
    return this.deps.admins.includes(`${this.account}:${mxid}`);
  }

  private ready(): MatrixClient {
    if (!this.client) throw new Error(`Matrix account ${this.account} is not connected`);
    return this.client;
  }

  private async roomId(room: string): Promise<string> {
    const known = this.idOf.get(room);
    if (known) return known;
    if (!room.startsWith("#")) return room;
    const id = await this.ready().resolveRoom(room);
    this.idOf.set(room, id);
    this.nameOf.set(id, room);
    return id;
  }

  private hooks(): SendHooks {
    return {
      onRateLimited: () => {
        this.rateLimited++;
        this.deps.metrics?.inc("crier_matrix_rate_limited_total", "429 answers met while sending", {
          account: this.account,
        });
      },
      stopping: () => this.stopping,
    };
  }

  private async notice(roomId: string, text: string, onceKey?: string): Promise<void> {
    await sayNotice(this.acting(), this.storage, roomId, text, onceKey);
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const roomId = await this.roomId(msg.room);
    // Plain text relayed into an end-to-end encrypted room would leak what its members expect to be private.
    if (this.handler?.encryptedRooms.has(roomId))
      throw new PermanentSendError(`Matrix room ${msg.room} is end-to-end encrypted; crier cannot take part in it`);
    return { nativeIds: await sendMessage(this.acting(), roomId, msg) };
  }

  private acting(): ActContext {
    return {
      own: () => this.ready(),
      transport: this.transport,
      hooks: this.hooks(),
      senderTemplate: this.config.senderTemplate,
      log: this.deps.log,
      storage: this.storage,
    };
  }

  async edit(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void> {
    await editMessage(this.acting(), await this.roomId(room), nativeIds, msg);
  }

  async delete(room: string, nativeIds: string[]): Promise<void> {
    await deleteMessages(this.acting(), await this.roomId(room), nativeIds);
  }

  async react(room: string, nativeId: string, emoji: string, msg?: OutgoingMessage): Promise<void> {
    await reactTo(this.acting(), await this.roomId(room), nativeId, emoji, msg);
  }

  /** `/matrix-media/<account>/…`: media fetched with this account's login, for readers on other platforms. */
  async httpAnswer(path: string) {
    return matrixMediaAnswer(new Map([[this.account, this]]), path);
  }

  isMediaLink(server: string, mediaId: string, token: string): boolean {
    return !!this.linkKey && isMediaToken(this.linkKey, this.account, { server, mediaId }, token);
  }

  async downloadMedia(server: string, mediaId: string): Promise<{ data: Buffer; contentType: string }> {
    const path = `/_matrix/client/v1/media/download/${encodeURIComponent(server)}/${encodeURIComponent(mediaId)}`;
    const res = await this.ready().doRequest("GET", path, null, null, 60_000, true, undefined, true);
    return {
      data: res.body as Buffer,
      contentType: String(res.headers?.["content-type"] ?? "application/octet-stream"),
    };
  }

  async isRoomAdmin(user: UserRef, room: RoomRef): Promise<boolean> {
    if (this.isConfiguredAdmin(user.id)) return true;
    try {
      const pl = await this.ready().getRoomStateEvent(await this.roomId(room.room), "m.room.power_levels", "");
      const level = Number(pl?.users?.[user.id] ?? pl?.users_default ?? 0);
      return level >= this.config.adminPowerLevel;
    } catch {
      return false;
    }
  }

  mentionFor(user: UserRef): RichText {
    return [{ t: "mention", name: user.name, user }];
  }

  permalink(room: string, nativeId: string): string {
    return `https://matrix.to/#/${encodeURIComponent(this.idOf.get(room) ?? room)}/${encodeURIComponent(nativeId)}`;
  }

  /** Joined members with display names (see roster.ts); undefined while the room cannot be read. */
  async members(room: string): Promise<RoomMember[] | undefined> {
    if (!this.roster) return undefined;
    return this.roster.members(await this.roomId(room)).catch(() => undefined);
  }

  /** A Matrix id stands for its localpart even while its owner is away. */
  namesOf(userId: string): string[] {
    return [localpart(userId)];
  }
}
