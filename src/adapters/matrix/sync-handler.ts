/**
 * What crier does with one /sync answer, in order and awaited (the sync position is saved only afterwards):
 * invites (admins' accepted, others declined politely), then per joined room the gap of a `limited` timeline
 * back-filled from /messages (bounded by the window), then the timeline itself. Encrypted rooms are announced, not
 * read; room upgrades are reported to admins, not followed.
 */
import type { MatrixClient } from "matrix-bot-sdk";
import type { EventSink } from "../../core/adapter.js";
import type { Logger } from "../../core/log.js";
import type { ChatEvent, UserRef } from "../../core/model.js";
import type { MatrixConfig } from "./config.js";
import { type RawJson, type RawMatrixEvent, toChatEvent } from "./inbound.js";
import { membershipEvent } from "./membership.js";

export interface SyncContext {
  account: string;
  config: MatrixConfig;
  client: MatrixClient;
  selfId: string;
  /** crier's own users (itself and, in appservice mode, its ghosts): what they do is never relayed. */
  isOwn?: (mxid: string) => boolean;
  log: Logger;
  sink: () => EventSink | undefined;
  isAdmin: (mxid: string) => boolean;
  /**
   * A room of crier's config: an invitation to it is taken whoever sent it (in appservice mode the homeserver pushes
   * the invitation that let crier in after crier joined, which must not make it leave again).
   */
  isConfiguredRoom?: (roomId: string) => boolean;
  /** The name the room has in crier's config (an alias when configured so), for events' RoomRef. */
  roomName: (roomId: string) => string;
  mediaUrl: (mxc: string, name: string) => string | undefined;
  /** Says something in a room as crier (an m.notice), once per `onceKey` when given. */
  notice: (roomId: string, text: string, onceKey?: string) => Promise<void>;
  /** Events sent before this instant are history (back-fill): relayed, not run as commands. */
  startedAt: number;
  backfillWindowMs: number;
  /** The networks' time (AdapterDeps.clock). */
  now: () => number;
  /** A last look at each message before it goes to crier (appservice mode: pills of ghosts mean remote people). */
  rewrite?: (event: ChatEvent) => Promise<ChatEvent>;
  /** Every membership event seen (state or timeline), for the room's member list. */
  onMember?: (roomId: string, ev: RawMatrixEvent) => void;
}

const enc = encodeURIComponent;

export class SyncHandler {
  private readonly names = new Map<string, string>();
  private readonly seen = new Map<string, Set<string>>();
  readonly encryptedRooms = new Set<string>();
  /** Events of the answer in hand given to crier and not yet handled. */
  private readonly handling: Array<Promise<void>> = [];

  constructor(private readonly ctx: SyncContext) {}

  private own(mxid: string | undefined): boolean {
    return !!mxid && (mxid === this.ctx.selfId || !!this.ctx.isOwn?.(mxid));
  }

  async handle(sync: RawJson, since: string | null): Promise<void> {
    for (const [roomId, room] of Object.entries<RawJson>(sync?.rooms?.invite ?? {}))
      await this.guard(() => this.onInvite(roomId, room?.invite_state?.events ?? []));
    for (const [roomId, room] of Object.entries<RawJson>(sync?.rooms?.leave ?? {})) {
      const own = (room?.timeline?.events ?? []).find((e: RawMatrixEvent) => e.state_key === this.ctx.selfId);
      if (since && own)
        this.ctx.log.warn(
          {
            room: this.ctx.roomName(roomId),
            by: own.sender,
            membership: own.content?.membership,
            reason: own.content?.reason,
          },
          "crier is no longer in a Matrix room",
        );
    }
    for (const [roomId, room] of Object.entries<RawJson>(sync?.rooms?.join ?? {})) {
      for (const ev of room?.state?.events ?? []) await this.guard(() => this.onState(roomId, ev));
      const timeline: RawMatrixEvent[] = room?.timeline?.events ?? [];
      // The very first sync shows recent history, which crier did not miss: it only learns the position.
      if (!since) {
        for (const ev of timeline) if (ev.state_key !== undefined) await this.guard(() => this.onState(roomId, ev));
        continue;
      }
      // A room crier has just joined shows history from before it was there: nothing of that was missed.
      const joinedAt = timeline.findIndex(
        (e) =>
          e.type === "m.room.member" &&
          e.state_key === this.ctx.selfId &&
          e.content?.membership === "join" &&
          e.unsigned?.prev_content?.membership !== "join",
      );
      if (joinedAt >= 0) {
        for (const ev of timeline.slice(0, joinedAt))
          if (ev.state_key !== undefined) await this.guard(() => this.onState(roomId, ev));
        for (const ev of timeline.slice(joinedAt)) await this.guard(() => this.onEvent(roomId, ev, false));
        continue;
      }
      if (room?.timeline?.limited && room.timeline.prev_batch) {
        const gap = await this.fetchGap(roomId, room.timeline.prev_batch, since).catch((err) => {
          this.ctx.log.warn({ room: roomId, err }, "Matrix back-fill failed; some messages may be missing");
          return [] as RawMatrixEvent[];
        });
        for (const ev of gap) await this.guard(() => this.onEvent(roomId, ev, true));
      }
      for (const ev of timeline) await this.guard(() => this.onEvent(roomId, ev, false));
    }
    // The sync position is saved after this returns: only once every event of this answer is handled (relayed,
    // recorded), so a crash or a takeover in between sees them again instead of skipping them.
    await Promise.all(this.handling.splice(0));
  }

  /** One bad event never stops the rest. */
  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.ctx.log.error({ err }, "Matrix event handling failed");
    }
  }

  /** Events between the last position and the start of a `limited` timeline, oldest first, within the window. */
  async fetchGap(roomId: string, from: string, to: string): Promise<RawMatrixEvent[]> {
    const out: RawMatrixEvent[] = [];
    const oldest = this.ctx.now() - this.ctx.backfillWindowMs;
    let token = from;
    let cut = false;
    for (;;) {
      const res = await this.ctx.client.doRequest("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages`, {
        dir: "b",
        from: token,
        to,
        limit: 100,
      });
      const chunk: RawMatrixEvent[] = res?.chunk ?? [];
      let done = chunk.length === 0 || !res.end || res.end === token;
      for (const ev of chunk) {
        if ((ev.origin_server_ts ?? 0) < oldest || out.length >= this.ctx.config.backfillMaxEvents) {
          done = true;
          cut = true;
          break;
        }
        out.push(ev);
      }
      if (done) break;
      token = res.end;
    }
    if (out.length) this.ctx.log.info({ room: roomId, events: out.length }, "Matrix back-fill after a gap");
    // The window or the event cap ended the back-fill before the last position: what lies before is not recovered.
    if (cut) {
      const now = this.ctx.now();
      const to = new Date(out.at(-1)?.origin_server_ts ?? now);
      const room = { account: this.ctx.account, room: this.ctx.roomName(roomId) };
      this.ctx.sink()?.({ kind: "gap", network: "Matrix", room, to, at: new Date(now) });
    }
    return out.reverse();
  }

  private async onInvite(roomId: string, events: RawMatrixEvent[]): Promise<void> {
    const invite = events.find(
      (e) => e.type === "m.room.member" && e.state_key === this.ctx.selfId && e.content?.membership === "invite",
    );
    if (!invite) return;
    if (this.ctx.isConfiguredRoom?.(roomId)) {
      await this.ctx.client.joinRoom(roomId);
      return;
    }
    if (this.ctx.isAdmin(invite.sender)) {
      this.ctx.log.info({ room: roomId, by: invite.sender }, "joining a room at an admin's invitation");
      await this.ctx.client.joinRoom(roomId);
      await this.checkEncryption(roomId);
    } else {
      this.ctx.log.info({ room: roomId, by: invite.sender }, "declining an invitation from a non-admin");
      await this.ctx.client.leaveRoom(roomId, this.ctx.config.inviteDeclineReason);
    }
  }

  /** Reads the room's encryption state; an encrypted room is announced (once) and logged. */
  async checkEncryption(roomId: string): Promise<void> {
    const state = await this.ctx.client.getRoomStateEvent(roomId, "m.room.encryption", "").catch(() => undefined);
    if (state?.algorithm) await this.markEncrypted(roomId);
  }

  private async markEncrypted(roomId: string): Promise<void> {
    const first = !this.encryptedRooms.has(roomId);
    this.encryptedRooms.add(roomId);
    if (first)
      this.ctx.log.error(
        { room: roomId },
        "this Matrix room is end-to-end encrypted: crier cannot read it (no encryption support), so it cannot be linked",
      );
    await this.ctx.notice(
      roomId,
      "crier cannot read this room: it is end-to-end encrypted and crier has no encryption support. Messages here are not relayed; link an unencrypted room instead.",
      `encrypted:${roomId}`,
    );
  }

  private async onState(roomId: string, ev: RawMatrixEvent): Promise<void> {
    if (ev.type === "m.room.encryption" && ev.content?.algorithm) await this.markEncrypted(roomId);
    if (ev.type === "m.room.member" && ev.state_key) {
      this.names.set(`${roomId}|${ev.state_key}`, ev.content?.displayname);
      this.ctx.onMember?.(roomId, ev);
    }
    if (ev.type === "m.room.tombstone" && ev.state_key === "" && ev.content?.replacement_room) {
      const next = String(ev.content.replacement_room);
      this.ctx.log.warn({ room: roomId, replacement: next }, "Matrix room upgraded; crier does not follow on its own");
      await this.ctx.notice(
        roomId,
        `This room was upgraded to ${next}. crier does not follow room upgrades on its own: an administrator should put the new room in crier's configuration.`,
        `tombstone:${roomId}`,
      );
    }
  }

  private async senderOf(roomId: string, mxid: string): Promise<UserRef> {
    const key = `${roomId}|${mxid}`;
    if (!this.names.has(key)) {
      const member = await this.ctx.client.getRoomStateEvent(roomId, "m.room.member", mxid).catch(() => undefined);
      this.names.set(key, member?.displayname);
    }
    const name = this.names.get(key) || mxid.replace(/^@/, "").split(":")[0];
    return { account: this.ctx.account, id: mxid, name };
  }

  /** Ids handled lately per room, so an event seen both in a back-fill and a timeline is handled once. */
  private firstSight(roomId: string, eventId: string): boolean {
    const set = this.seen.get(roomId) ?? new Set<string>();
    this.seen.set(roomId, set);
    if (set.has(eventId)) return false;
    set.add(eventId);
    if (set.size > 2000) set.delete(set.values().next().value as string);
    return true;
  }

  private async onEvent(roomId: string, ev: RawMatrixEvent, fromGap: boolean): Promise<void> {
    if (!this.firstSight(roomId, ev.event_id)) return;
    if (ev.state_key !== undefined) {
      await this.onState(roomId, ev);
      const change =
        !this.own(ev.sender) && !this.own(ev.state_key)
          ? membershipEvent(
              { account: this.ctx.account, room: this.ctx.roomName(roomId) },
              ev,
              await this.senderOf(roomId, ev.sender),
              this.ctx.now(),
            )
          : undefined;
      if (change) this.ctx.sink()?.(change);
      return;
    }
    if (this.own(ev.sender)) return;
    if (ev.type === "m.room.encrypted") {
      this.ctx.log.warn(
        { room: roomId, event: ev.event_id },
        "encrypted Matrix message not relayed (no encryption support)",
      );
      await this.markEncrypted(roomId);
      return;
    }
    // Said before this start: history (relayed, not run as a command). Judged by time, not by "the first sync":
    // Synapse may answer the first /sync from a cached, still-running request of the previous run.
    const receivedAt = this.ctx.now();
    const backfill = fromGap || (ev.origin_server_ts ?? receivedAt) < this.ctx.startedAt;
    const event = toChatEvent(this.ctx.roomName(roomId), ev, {
      account: this.ctx.account,
      sender: await this.senderOf(roomId, ev.sender),
      mediaUrl: this.ctx.mediaUrl,
      backfill,
      receivedAt,
    });
    if (!event) return;
    const handled = this.ctx.sink()?.(this.ctx.rewrite ? await this.ctx.rewrite(event) : event);
    if (handled) this.handling.push(handled);
  }
}
