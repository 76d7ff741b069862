/**
 * The console adapter as a test double: records what crier did to each room (edits, deletes, reactions; the sends
 * are the adapter's own `sent`), lets a test wait for a message instead of sleeping, and lets people join, leave and
 * rename in a room (listed by `members()` from then on) as they would on a real platform.
 */
import { ConsoleAdapter, type ConsoleSent } from "../../src/adapters/console/adapter.js";
import type { OutgoingMessage, RoomMember, SendResult } from "../../src/core/adapter.js";
import type { UserRef } from "../../src/core/model.js";
import { toPlain } from "../../src/core/richtext.js";

export class RecordingConsole extends ConsoleAdapter {
  readonly edits: Array<{ room: string; nativeIds: string[]; text: string }> = [];
  readonly deletes: Array<{ room: string; nativeIds: string[] }> = [];
  readonly reactions: Array<{ room: string; nativeId: string; emoji: string }> = [];
  private readonly waiters: Array<() => void> = [];
  /** Who is in each room, as the test said (`join`); rooms nobody joined have no member list. */
  private readonly roster = new Map<string, Map<string, UserRef>>();

  override async send(msg: OutgoingMessage): Promise<SendResult> {
    const result = await super.send(msg);
    for (const w of this.waiters.splice(0)) w();
    return result;
  }

  override async edit(room: string, nativeIds: string[], msg: OutgoingMessage): Promise<void> {
    this.edits.push({ room, nativeIds, text: toPlain(msg.body) });
    await super.edit(room, nativeIds, msg);
  }

  override async delete(room: string, nativeIds: string[]): Promise<void> {
    this.deletes.push({ room, nativeIds });
    await super.delete(room, nativeIds);
  }

  override async react(room: string, nativeId: string, emoji: string): Promise<void> {
    this.reactions.push({ room, nativeId, emoji });
    await super.react(room, nativeId, emoji);
  }

  /** Someone enters a room: listed by `members()` from now on, and announced as a join. */
  join(room: string, user: UserRef): void {
    const list = this.roster.get(room) ?? new Map<string, UserRef>();
    list.set(user.id, user);
    this.roster.set(room, list);
    this.emit({ kind: "join", room: { account: this.account, room }, user, at: new Date() });
  }

  /** Someone leaves a room (announced as a part). */
  leave(room: string, user: UserRef): void {
    this.roster.get(room)?.delete(user.id);
    this.emit({ kind: "part", room: { account: this.account, room }, user, at: new Date() });
  }

  /** Someone present takes another display name (announced as a nick change). */
  rename(room: string, user: UserRef, newName: string): void {
    this.roster.get(room)?.set(user.id, { ...user, name: newName });
    this.emit({ kind: "nick", room: { account: this.account, room }, user, newName, at: new Date() });
  }

  async members(room: string): Promise<RoomMember[] | undefined> {
    const list = this.roster.get(room);
    return list && [...list.values()].map((user) => ({ user, names: [user.name, user.id] }));
  }

  /** Resolves when a message is sent whose text matches, or rejects after `ms` (tests wait on events, not sleeps). */
  async waitFor(pred: (s: ConsoleSent) => boolean, ms = 5000): Promise<ConsoleSent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.sent.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `console: no matching message within ${ms} ms; sent so far: ${JSON.stringify(this.sent.map((s) => s.text))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
