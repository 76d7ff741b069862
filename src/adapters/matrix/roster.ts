/**
 * Who is joined to each Matrix room, with display names: loaded once per room from `/joined_members` when first
 * asked (the sync filter lazy-loads members, so the sync alone does not list them), then kept current from the
 * `m.room.member` events the sync delivers.
 */
import type { RoomMember } from "../../core/adapter.js";
import type { RawMatrixEvent } from "./inbound.js";

/** Members kept per room: a huge public room costs bounded memory, and address matching bounded time. */
const MAX_MEMBERS = 20_000;

export const localpart = (mxid: string): string => mxid.replace(/^@/, "").split(":")[0];

export interface RosterClient {
  doRequest(method: string, path: string): Promise<unknown>;
}

export class MatrixRoster {
  /** Room id → mxid → display name (empty when none is set). */
  private readonly rooms = new Map<string, Map<string, string>>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly account: string,
    /** crier's own users (itself, its ghosts): not listed. */
    private readonly isOwn: (mxid: string) => boolean,
    private readonly client: RosterClient,
  ) {}

  async members(roomId: string): Promise<RoomMember[]> {
    if (!this.rooms.has(roomId)) await this.load(roomId);
    return [...(this.rooms.get(roomId) ?? new Map<string, string>()).entries()].map(([mxid, display]) => {
      const name = display || localpart(mxid);
      return { user: { account: this.account, id: mxid, name }, names: [name, localpart(mxid), mxid] };
    });
  }

  private load(roomId: string): Promise<void> {
    let pending = this.loading.get(roomId);
    if (!pending) {
      pending = this.fetch(roomId).finally(() => this.loading.delete(roomId));
      this.loading.set(roomId, pending);
    }
    return pending;
  }

  private async fetch(roomId: string): Promise<void> {
    const res = (await this.client.doRequest(
      "GET",
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`,
    )) as { joined?: Record<string, { display_name?: unknown }> };
    const list = new Map<string, string>();
    for (const [mxid, profile] of Object.entries(res?.joined ?? {})) {
      if (list.size >= MAX_MEMBERS) break;
      if (!this.isOwn(mxid)) list.set(mxid, typeof profile?.display_name === "string" ? profile.display_name : "");
    }
    this.rooms.set(roomId, list);
  }

  /** A membership event from the sync (state or timeline): joins, leaves, bans and new display names. */
  onMember(roomId: string, ev: RawMatrixEvent): void {
    const list = this.rooms.get(roomId);
    if (!list || ev.type !== "m.room.member" || !ev.state_key || this.isOwn(ev.state_key)) return;
    if (ev.content?.membership === "join") {
      if (list.size < MAX_MEMBERS || list.has(ev.state_key))
        list.set(ev.state_key, typeof ev.content.displayname === "string" ? ev.content.displayname : "");
    } else list.delete(ev.state_key);
  }
}
