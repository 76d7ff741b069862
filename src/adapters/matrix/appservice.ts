/**
 * Application-service mode on matrix-bot-sdk's Appservice: the homeserver pushes `PUT /transactions/{txnId}` to
 * crier's own listener (never crier's public web server), the SDK answers them, remembers finished transaction
 * ids and registered ghosts in crier's store (so a transaction replayed after a restart is not handled twice),
 * and gives an Intent per ghost.
 *
 * crier adds, in front of the SDK: the hs_token check with the spec's answers (401 without a token, 403 with a wrong
 * one, compared in constant time); each event handed to the SyncHandler as a one-event /sync batch, inside the
 * transaction (an SDK preprocessor, awaited), so the transaction is acknowledged only after crier took its events;
 * and events of crier's own users (bot and ghosts, the exclusive namespace) dropped before they reach it.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { isAbsolute, join } from "node:path";
import { createHash, timingSafeEqual } from "node:crypto";
import {
  Appservice,
  EventKind,
  type IAppserviceRegistration,
  type IAppserviceStorageProvider,
  type IPreprocessor,
} from "matrix-bot-sdk";
import type { Logger } from "../../core/log.js";
import type { SyncHandler } from "./client.js";
import type { AppserviceConfig, MatrixConfig } from "./config.js";
import { Ghosts, ghostPillsToRemote } from "./ghosts.js";
import type { RawJson, RawMatrixEvent } from "./inbound.js";
import { RefusedLogin } from "./login.js";
import { readRegistration } from "./registration.js";
import type { StoreStorageProvider } from "./storage.js";
import type { MatrixTransport } from "./transport.js";

/** Event types crier reads (the SyncHandler's); others are acknowledged and ignored. */
const READ_TYPES = [
  "m.room.message",
  "m.reaction",
  "m.room.redaction",
  "m.room.member",
  "m.room.topic",
  "m.room.encryption",
  "m.room.encrypted",
  "m.room.tombstone",
];

/**
 * A finished transaction is kept this long: the homeserver sends one again only when it missed crier's answer
 * (at once, or after crier's restart), never days later, so older ids are dropped (checked at most hourly).
 */
const KEEP_TXN_MS = 24 * 3_600_000;

/** Registered ghosts and finished transactions, in crier's store (the account's matrix_state rows). */
export class AppserviceStore implements IAppserviceStorageProvider {
  private prunedAt = 0;
  constructor(
    private readonly storage: StoreStorageProvider,
    private readonly now: () => number = Date.now,
  ) {}
  async addRegisteredUser(userId: string): Promise<void> {
    await this.storage.write(`as-user:${userId}`, "1");
  }
  async isUserRegistered(userId: string): Promise<boolean> {
    return (await this.storage.read(`as-user:${userId}`)) === "1";
  }
  async setTransactionCompleted(txnId: string): Promise<void> {
    const now = this.now();
    await this.storage.write(`as-txn:${txnId}`, String(now));
    if (now - this.prunedAt < 3_600_000) return;
    this.prunedAt = now;
    await this.storage.prune("as-txn:", now - KEEP_TXN_MS);
  }
  async isTransactionCompleted(txnId: string): Promise<boolean> {
    return (await this.storage.read(`as-txn:${txnId}`)) !== null;
  }
}

const TXN_PATH = /^\/(_matrix\/app\/v1\/)?transactions\/[^/?]+(\?|$)/;
/** A transaction body is read whole before it is handled; past this it is refused (Synapse sends ≤ 100 events). */
const MAX_TXN_BYTES = 64 * 1024 * 1024;

async function readTransaction(req: IncomingMessage): Promise<RawJson> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TXN_BYTES) throw new Error("transaction too large");
    chunks.push(chunk);
  }
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  if (!body || typeof body !== "object") throw new Error("expected a JSON object");
  return body;
}

/** `/transactions/7` → `/transactions/7.<hash of its event ids>`: a retry matches, a reused id does not. */
export function withFingerprint(url: string, body: RawJson): string {
  const ids = Array.isArray(body?.events) ? body.events.map((e: RawJson) => String(e?.event_id ?? "")).join(",") : "";
  const print = createHash("sha256").update(ids).digest("hex").slice(0, 16);
  return url.replace(/^(\/(?:_matrix\/app\/v1\/)?transactions\/[^/?]+)/, `$1.${print}`);
}

/** A one-event /sync batch: an invite of crier's bot as an invite, anything else as a joined room's timeline. */
export function asSyncBatch(ev: RawMatrixEvent & { room_id?: string }, selfId: string): RawJson {
  const roomId = String(ev.room_id ?? "");
  if (ev.type === "m.room.member" && ev.state_key === selfId && ev.content?.membership === "invite")
    return { rooms: { invite: { [roomId]: { invite_state: { events: [ev] } } } } };
  return { rooms: { join: { [roomId]: { timeline: { events: [ev] } } } } };
}

/** The hs_token check: undefined when the request may go on, else the status and error to answer. */
export function checkHsToken(req: IncomingMessage, hsToken: string): { status: number; body: RawJson } | undefined {
  const header = req.headers.authorization;
  let given: string | undefined;
  if (typeof header === "string" && header.startsWith("Bearer ")) given = header.slice(7);
  else {
    const q = new URL(req.url ?? "/", "http://x").searchParams.get("access_token");
    given = q ?? undefined;
  }
  if (!given) return { status: 401, body: { errcode: "M_UNAUTHORIZED", error: "no hs_token given" } };
  const a = Buffer.from(given);
  const b = Buffer.from(hsToken);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return { status: 403, body: { errcode: "M_FORBIDDEN", error: "wrong hs_token" } };
  return undefined;
}

export interface AppserviceDeps {
  account: string;
  config: MatrixConfig;
  storage: StoreStorageProvider;
  stateDir?: string;
  log: Logger;
  onBatch: SyncHandler;
}

export function registrationPath(as: AppserviceConfig, stateDir: string | undefined): string {
  return isAbsolute(as.registration) ? as.registration : join(stateDir ?? ".", as.registration);
}

export function appserviceTransport(deps: AppserviceDeps): MatrixTransport {
  const asConfig = deps.config.appservice!;
  let registration: IAppserviceRegistration;
  try {
    registration = readRegistration(registrationPath(asConfig, deps.stateDir), asConfig);
  } catch (err) {
    // Only the operator can fix the registration: stop with the reason rather than retry for ever.
    throw new RefusedLogin((err as Error).message);
  }
  const as = new Appservice({
    port: asConfig.port,
    bindAddress: asConfig.bindAddress,
    homeserverName: asConfig.serverName,
    homeserverUrl: deps.config.homeserver,
    registration,
    storage: new AppserviceStore(deps.storage),
  });
  const ghosts = new Ghosts(as, asConfig.userPrefix, deps.storage, deps.log);
  const selfId = as.botUserId;
  const isOwn = (mxid: string) => mxid === selfId || as.isNamespacedUser(mxid);
  let open!: () => void;
  let stopped = false;
  let inflight: Promise<unknown> = Promise.resolve();
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const preprocessor: IPreprocessor = {
    getSupportedEventTypes: () => READ_TYPES,
    processEvent: async (ev: RawMatrixEvent & { room_id?: string }, _client, kind) => {
      if (kind !== EventKind.RoomEvent || !ev?.room_id || typeof ev.sender !== "string") return;
      // Ghosts (the exclusive namespace) are crier's: what they say or do is crier's own echo.
      if (ev.sender !== selfId && isOwn(ev.sender)) return;
      if (ev.type === "m.room.member" && ev.state_key && ev.state_key !== selfId && isOwn(ev.state_key)) return;
      await opened;
      // Stopping: the transaction is left unfinished (never answered, never recorded as done), so the homeserver
      // pushes it again to the next start rather than crier recording events it did not take.
      if (stopped) return new Promise<never>(() => undefined);
      // Never throws: a failing preprocessor would leave the SDK's transaction unanswered.
      const work = deps
        .onBatch(asSyncBatch(ev, selfId), "appservice")
        .catch((err) => deps.log.error({ err, event: ev.event_id }, "Matrix appservice event handling failed"));
      inflight = work;
      await work;
    },
  };
  as.addPreprocessor(preprocessor);
  let server: Server | undefined;
  return {
    client: as.botClient,
    selfId,
    impersonates: true,
    isOwn,
    async prepare() {
      const app = as.expressAppInstance;
      // The homeserver's side of a ping (spec: application-service ping); matrix-bot-sdk 0.7.1 has no route for it.
      app.post("/_matrix/app/v1/ping", (_req, res) => {
        res.status(200).json({});
      });
      app.all("*", (_req, res) => {
        res.status(404).json({ errcode: "M_UNRECOGNIZED", error: "Endpoint not implemented" });
      });
      server = createServer((req, res) => {
        const refused = checkHsToken(req, registration.hs_token);
        const answer = (status: number, body: RawJson) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (refused) return answer(refused.status, refused.body);
        if (req.method !== "PUT" || !TXN_PATH.test(req.url ?? "")) return app(req, res);
        readTransaction(req)
          .then((body) => {
            // The transaction is known by its id and its events: Synapse on SQLite numbers transactions from 1
            // again after it restarts, and an id alone would then pass new events for ones already taken.
            req.url = withFingerprint(req.url!, body);
            Object.assign(req, { body, _body: true });
            app(req, res);
          })
          .catch((err: Error) => answer(400, { errcode: "M_NOT_JSON", error: err.message }));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(asConfig.port, asConfig.bindAddress, () => resolve());
      });
      deps.log.info({ bind: asConfig.bindAddress, port: asConfig.port }, "Matrix appservice listener up");
      await as.botIntent.ensureRegistered();
    },
    async begin() {
      open();
      // A ping tells the homeserver crier is up: Synapse then pushes what it queued at once, instead of after the
      // back-off it grew while crier was away (up to minutes). It also shows early that it cannot reach crier.
      const id = encodeURIComponent(registration.id ?? asConfig.id);
      void as.botClient
        .doRequest("POST", `/_matrix/client/v1/appservice/${id}/ping`, null, { transaction_id: `crier-${Date.now()}` })
        .catch((err) =>
          deps.log.warn(
            { err: (err as Error)?.message, url: registration.url },
            "the homeserver could not ping crier's appservice listener (if this stays so, check the registration's url)",
          ),
        );
    },
    async stop() {
      stopped = true;
      open();
      const s = server;
      server = undefined;
      if (s) {
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
        await closed;
      }
      // The event being handled when stop came is finished (its transaction is then recorded as done).
      await inflight;
    },
    ghost: async (sender, roomId) => (await ghosts.ready(sender, roomId)).underlyingClient,
    rename: (sender) => ghosts.rename(sender),
    leave: (puppet, roomId) => ghosts.leave(puppet, roomId),
    rewrite: (event) =>
      ghostPillsToRemote(
        event,
        (mxid) => mxid !== selfId && isOwn(mxid),
        (mxid) => ghosts.remoteOf(mxid),
      ),
    clientOf: (mxid) => (mxid === selfId ? as.botClient : ghosts.intentOf(mxid).underlyingClient),
  };
}
