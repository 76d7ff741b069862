import type { Config } from "../config/schema.js";
import type { Outbox } from "../delivery/outbox.js";
import type { Clock } from "../services/clock.js";
import type { Identity } from "../services/identity.js";
import type { Metrics } from "../services/metrics.js";
import type { Fence, RoleStatus } from "../store/fence.js";
import type { Store } from "../store/store.js";
import type { Adapter } from "./adapter.js";
import type { CommandRegistry } from "./commands.js";
import type { Logger } from "./log.js";
import type { ChatEvent, RoomRef, UserRef } from "./model.js";
import type { Migration } from "../store/store.js";
import type { AnyCommand } from "./commands.js";

/** Everything a feature may use. Built once in app.ts. */
export interface AppContext {
  config: Config;
  store: Store;
  log: Logger;
  clock: Clock;
  stateDir: string;
  adapters: Map<string, Adapter>;
  outbox: Outbox;
  commands: CommandRegistry;
  identity: Identity;
  metrics: Metrics;
  /** Every side-effecting transaction calls `fence.check(tx)`: it commits only while this instance is the active one. */
  fence: Fence;
  /** Active or standby, the lease term and the active instance's name. */
  role(): RoleStatus;
  /** True when the user is a configured admin (directly or through a linked identity) or a room admin. */
  isAdmin(user: UserRef, room?: RoomRef): Promise<boolean>;
  /** Sends crier's own words to a room, through the outbox. */
  notify(room: RoomRef, body: string | import("./richtext.js").RichText, key?: string): Promise<void>;
  /** Tells every configured admin room/identity something once (e.g. a feed failing). */
  warnAdmins(text: string, key: string): Promise<void>;
}

/**
 * A feature is one file (or folder) in src/features, built by a factory in src/features/index.ts that hands it what
 * it needs (another feature's small interface) as typed parameters; the core parts come in through the hooks.
 */
export interface Feature {
  name: string;
  commands?: AnyCommand[];
  migrations?: Migration[];
  /** Also started on a standby instance (read-only work: the web pages, /healthz); other features only when active. */
  standby?: boolean;
  /** Called once the store is migrated and before adapters connect. */
  init?(app: AppContext): Promise<void>;
  /** Called after adapters are started. */
  start?(app: AppContext): Promise<void>;
  stop?(app: AppContext): Promise<void>;
  /**
   * A reloaded config is in `app.config` (`previous` is the old one). Without this hook a reload runs stop → init →
   * start; a feature with costly or outward-facing state (the web server's port) applies only what changed.
   */
  reload?(app: AppContext, previous: Config): Promise<void>;
  /** Sees every inbound event (inside the error boundary); relay and minutes use it. */
  onEvent?(event: ChatEvent, app: AppContext): Promise<void>;
  /** Other rooms where crier's public answer to a command said in `room` by `sender` is also said (the relay's links). */
  answerRooms?(room: RoomRef, sender: UserRef): RoomRef[];
}
