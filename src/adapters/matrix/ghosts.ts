/**
 * Ghosts: in appservice mode each remote person is a Matrix user of crier's, `@<prefix><part>_<part>…:server`
 * (`@crier_irc_libera_alice`, `@crier_discord_1234`), made from the Puppet their own adapter names them by, or the
 * relay by their person (`@crier_person_<hash>`: identities linked in crier, relay/puppets.ts).
 * Registered on first use (the SDK's Intent, which remembers registrations in crier's store), given their display
 * name before joining (so the join shows it), renamed when it changes (with a message, or at once on a rename the
 * relay sends: `rename`, which never registers anyone), and joined to a room on their first message there. A sender's avatar (a Discord one) is read once per URL and uploaded once per image (by its hash), and a
 * failing or slow avatar never holds a message back (it is set beside the send). Work for one ghost runs one at a time, so two rooms sending at once
 * never register or join twice.
 */
import { createHash } from "node:crypto";
import type { Appservice, Intent } from "matrix-bot-sdk";
import type { Puppet, SenderShown } from "../../core/adapter.js";
import type { Logger } from "../../core/log.js";
import type { ChatEvent, UserRef } from "../../core/model.js";
import { mapLeaves, walk } from "../../core/richtext.js";
import type { StoreStorageProvider } from "./storage.js";
import { readCapped } from "./upload.js";

/** Matrix user ids are at most 255 bytes; the localpart is cut (with a hash of the whole) well before that. */
const MAX_LOCALPART = 200;
/** Display names longer than this are cut: Synapse refuses over 256 characters. */
const MAX_DISPLAY_NAME = 200;
/** Avatars are small images; a bigger file or a slow CDN is not worth holding a message back for. */
const MAX_AVATAR_BYTES = 1024 * 1024;
const AVATAR_TIMEOUT_MS = 10_000;
const AVATAR_RETRY_MS = 3_600_000;
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
/** Ghosts whose remote person is cached in memory. */
const MAX_REMEMBERED = 10_000;

/**
 * One id part in the user-id grammar (`a-z 0-9 . - /` kept; every other byte of its UTF-8, `_` and `=` and
 * upper case included, as `=xx`). No escaped part holds `_`, so `_` between parts keeps distinct puppets distinct.
 * Linear in the part's length.
 */
export function escapePart(part: string): string {
  let out = "";
  for (const byte of Buffer.from(part, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9.\-/]/.test(c) ? c : `=${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

export function ghostLocalpart(prefix: string, puppet: Puppet): string {
  const local = prefix + puppet.id.map(escapePart).join("_");
  if (local.length <= MAX_LOCALPART) return local;
  const hash = createHash("sha256").update(local).digest("hex").slice(0, 16);
  return `${local.slice(0, MAX_LOCALPART - 17)}-${hash}`;
}

export function ghostDisplayName(puppet: Puppet): string {
  const name = puppet.displayName.replace(/[\p{Cc}\p{Cf}]+/gu, " ").trim() || puppet.id.at(-1) || "?";
  return name.length > MAX_DISPLAY_NAME ? `${name.slice(0, MAX_DISPLAY_NAME - 1)}…` : name;
}

export class Ghosts {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Ghost → what `remember` last stored for it (bounded; the store has them all). */
  private readonly remotes = new Map<string, string>();
  /** Avatar URL hash → when reading it last failed. */
  private readonly failedAvatars = new Map<string, number>();
  private readonly avatarsInFlight = new Set<string>();

  constructor(
    private readonly as: Appservice,
    private readonly prefix: string,
    private readonly storage: StoreStorageProvider,
    private readonly log: Logger,
  ) {}

  userIdOf(puppet: Puppet): string {
    return this.as.getUserId(ghostLocalpart(this.prefix, puppet));
  }

  /** The ghost of a relayed sender, registered, named and joined to `roomId`, ready to send there. */
  async ready(sender: SenderShown & { puppet: Puppet }, roomId: string): Promise<Intent> {
    const { puppet } = sender;
    const userId = this.userIdOf(puppet);
    return this.serially(userId, async () => {
      await this.remember(userId, sender);
      const intent = this.as.getIntentForUserId(userId);
      await intent.ensureRegistered();
      await this.named(intent, userId, puppet);
      this.avatarLater(intent, userId, sender.avatarUrl);
      await intent.ensureJoined(roomId);
      return intent;
    });
  }

  /** The ghost takes the sender's current name when it is a user already (else it is named on its first message). */
  async rename(sender: SenderShown & { puppet: Puppet }): Promise<void> {
    const userId = this.userIdOf(sender.puppet);
    await this.serially(userId, async () => {
      if (!(await this.storage.read(`as-user:${userId}`))) return;
      await this.remember(userId, sender);
      await this.named(this.as.getIntentForUserId(userId), userId, sender.puppet);
    });
  }

  /** Sets the display name when it differs from the one last set (one profile update per change). */
  private async named(intent: Intent, userId: string, puppet: Puppet): Promise<void> {
    const name = ghostDisplayName(puppet);
    const key = `ghost-name:${userId}`;
    if ((await this.storage.read(key)) === name) return;
    await intent.underlyingClient.setDisplayName(name);
    await this.storage.write(key, name);
    this.log.debug({ ghost: userId }, "ghost display name set");
  }

  /** The avatar is set beside the send, never before it: a slow CDN must not hold a message back. */
  private avatarLater(intent: Intent, userId: string, url: string | undefined): void {
    if (!url || this.avatarsInFlight.has(userId)) return;
    this.avatarsInFlight.add(userId);
    void this.avatar(intent, userId, url)
      .catch((err) => this.log.debug({ ghost: userId, err: (err as Error).message }, "ghost avatar not set"))
      .finally(() => this.avatarsInFlight.delete(userId));
  }

  /** Sets the ghost's avatar from the sender's avatar URL when it changed; an image is uploaded once by its hash. */
  private async avatar(intent: Intent, userId: string, url: string | undefined): Promise<void> {
    if (!url || !/^https?:\/\//i.test(url)) return;
    const key = `ghost-avatar:${userId}`;
    const urlHash = sha256(url);
    if ((await this.storage.read(key)) === urlHash) return;
    // A URL that failed is tried again after a while, not on every message.
    const failed = this.failedAvatars.get(urlHash);
    if (failed && Date.now() - failed < AVATAR_RETRY_MS) return;
    const read = await readCapped(url, MAX_AVATAR_BYTES, AVATAR_TIMEOUT_MS).catch(() => undefined);
    const mime = read?.type?.split(";")[0].trim() ?? "";
    if (!read || !mime.startsWith("image/")) {
      this.failedAvatars.set(urlHash, Date.now());
      if (this.failedAvatars.size > MAX_REMEMBERED)
        this.failedAvatars.delete(this.failedAvatars.keys().next().value as string);
      return;
    }
    const imageKey = `avatar-mxc:${sha256(read.data)}`;
    let mxc = await this.storage.read(imageKey);
    if (!mxc) {
      mxc = await intent.underlyingClient.uploadContent(read.data, mime, "avatar");
      await this.storage.write(imageKey, mxc);
    }
    // Recorded first, so that a message right after the avatar appears does not read it again; undone on failure.
    await this.storage.write(key, urlHash);
    await intent.underlyingClient.setAvatarUrl(mxc).catch(async (err) => {
      await this.storage.write(key, null);
      throw err;
    });
  }

  /** Who the ghost relays (`account:id` from the sender's key, and the name), kept for pills of the ghost. */
  private async remember(userId: string, sender: SenderShown): Promise<void> {
    const colon = sender.key?.indexOf(":") ?? -1;
    if (!sender.key || colon <= 0) return;
    const remote = JSON.stringify({
      account: sender.key.slice(0, colon),
      id: sender.key.slice(colon + 1),
      name: sender.name,
    });
    if (this.remotes.get(userId) === remote) return;
    await this.storage.write(`ghost-of:${userId}`, remote);
    this.remotes.set(userId, remote);
    if (this.remotes.size > MAX_REMEMBERED) this.remotes.delete(this.remotes.keys().next().value as string);
  }

  /** The remote person a ghost stands for, if it relayed anyone. */
  async remoteOf(userId: string): Promise<UserRef | undefined> {
    const raw = this.remotes.get(userId) ?? (await this.storage.read(`ghost-of:${userId}`));
    if (!raw) return undefined;
    const r = JSON.parse(raw) as { account?: unknown; id?: unknown; name?: unknown };
    return typeof r.account === "string" && typeof r.id === "string"
      ? { account: r.account, id: r.id, name: typeof r.name === "string" ? r.name : r.id }
      : undefined;
  }

  /** The ghost leaves the room, when it is a user and is there. */
  async leave(puppet: Puppet, roomId: string): Promise<void> {
    const userId = this.userIdOf(puppet);
    await this.serially(userId, async () => {
      if (!(await this.storage.read(`as-user:${userId}`))) return;
      const intent = this.as.getIntentForUserId(userId);
      if (!(await intent.getJoinedRooms()).includes(roomId)) return;
      await intent.leaveRoom(roomId);
    });
  }

  /** The intent of a user id crier owns (a ghost that sent an earlier event). */
  intentOf(userId: string): Intent {
    return this.as.getIntentForUserId(userId);
  }

  private serially<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queues.get(userId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.queues.set(userId, settled);
    void settled.then(() => {
      if (this.queues.get(userId) === settled) this.queues.delete(userId);
    });
    return run;
  }
}

/** Distinct ghosts resolved per message; pills beyond stay as they are (bounded work for a stranger's message). */
const MAX_PILLS = 50;

/**
 * A Matrix pill of a ghost means the remote person it relays: the mention is made theirs (`irc.libera:alice`), so
 * the relay pings them natively on their own platform. Pills of anyone else are left alone.
 */
export async function ghostPillsToRemote(
  event: ChatEvent,
  isGhost: (mxid: string) => boolean,
  remoteOf: (mxid: string) => Promise<UserRef | undefined>,
): Promise<ChatEvent> {
  if (event.kind !== "message" && event.kind !== "edit") return event;
  const ids = new Set<string>();
  walk(event.body, (n) => {
    if (n.t === "mention" && n.user && isGhost(n.user.id) && ids.size < MAX_PILLS) ids.add(n.user.id);
  });
  const found = new Map<string, UserRef>();
  for (const id of ids) {
    // A pill the store cannot resolve now stays a pill of the ghost (its name still reads right).
    const remote = await remoteOf(id).catch(() => undefined);
    if (remote) found.set(id, remote);
  }
  if (!found.size) return event;
  const body = mapLeaves(event.body, (n) => {
    const remote = n.t === "mention" && n.user ? found.get(n.user.id) : undefined;
    return remote ? { t: "mention", name: remote.name, user: remote } : n;
  });
  return { ...event, body };
}
