/**
 * A rename shown at once where relayed people are virtual users (Capabilities.puppets: Matrix ghosts): when someone
 * changes their name, their virtual user in each linked room of such an account takes the new name before they
 * speak again — on every link, whether or not it relays membership.
 *
 * Only when the platform's id for them stays (a services account, a Matrix id): a nick without an account is a new
 * identity under the new nick (MembershipEvent.renamedTo), whose virtual user comes with its first message; the
 * old one keeps the old nick, which is whom it stood for (whoever takes that nick next is relayed by it).
 *
 * Bounded: per virtual user and room, the first rename goes out at once, then at most one per RENAME_WINDOW_MS
 * (the latest name, when the window closes), so a flood of NICK changes costs at most one update per window
 * however long it lasts; at most MAX_OPEN windows are open at a time, past which a rename is left to the person's
 * next message (every relayed message names the virtual user anew).
 */
import { createHash } from "node:crypto";
import type { Puppet } from "../core/adapter.js";
import type { MembershipEvent, RoomRef, UserRef } from "../core/model.js";
import { roomKey } from "../core/model.js";
import type { OutboxItem } from "../delivery/outbox.js";
import type { Clock } from "../services/clock.js";
import { shownAs } from "./puppets.js";

export const RENAME_WINDOW_MS = 10_000;
const MAX_OPEN = 10_000;

/** Who someone is after a name change that keeps their id; undefined when the id changed (or no new name). */
export function renamedUser(event: MembershipEvent): UserRef | undefined {
  if (event.kind !== "nick" || !event.newName || event.renamedTo) return undefined;
  return { ...event.user, name: event.newName };
}

/** The outbox item that gives `user`'s virtual user in `target` its current name (and says nothing). */
export function renameItem(event: MembershipEvent, user: UserRef, puppet: Puppet, target: RoomRef): OutboxItem {
  const said = createHash("sha256").update(user.name).digest("hex").slice(0, 12);
  const source = `${roomKey(event.room)}/${user.id}/${event.at.getTime()}/${said}`;
  return {
    account: target.account,
    lane: "relay",
    message: {
      room: target.room,
      body: [],
      kind: "notice",
      idempotencyKey: `relay-rename:${source}->${target.account}/${target.room}`,
      membership: { kind: "rename", who: shownAs(user, puppet) },
    },
  };
}

/** At most one rename per virtual user, room and window; the latest one offered in a window goes out when it closes. */
export class RenameThrottle {
  /** Key → the rename waiting for its window to close (undefined: none waits). */
  private readonly open = new Map<string, (() => void) | undefined>();
  private readonly cancels = new Map<string, () => void>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = RENAME_WINDOW_MS,
    private readonly maxOpen = MAX_OPEN,
  ) {}

  /** Hands the rename to `send` now, or when its window closes (a later one replaces it); false when left out. */
  offer(
    event: MembershipEvent,
    user: UserRef,
    puppet: Puppet,
    target: RoomRef,
    send: (item: OutboxItem) => unknown,
  ): boolean {
    const item = renameItem(event, user, puppet, target);
    return this.offerKeyed(`${roomKey(target)}\u0000${puppet.id.join("\u0000")}`, () => void send(item));
  }

  /** Runs `send` now, or when the key's window closes (a later offer replaces it); false when left out at the bound. */
  offerKeyed(key: string, send: () => void): boolean {
    if (this.stopped) return false;
    if (this.open.has(key)) {
      this.open.set(key, send);
      return true;
    }
    if (this.open.size >= this.maxOpen) return false;
    this.open.set(key, undefined);
    send();
    this.wait(key);
    return true;
  }

  private wait(key: string): void {
    const sleep = this.clock.sleep(this.windowMs);
    this.cancels.set(key, sleep.cancel);
    void sleep.done.then(() => {
      if (this.stopped) return;
      const next = this.open.get(key);
      if (!next) {
        this.open.delete(key);
        this.cancels.delete(key);
        return;
      }
      this.open.set(key, undefined);
      next();
      this.wait(key);
    });
  }

  /** Windows open now (tests). */
  get size(): number {
    return this.open.size;
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
    this.open.clear();
  }
}
