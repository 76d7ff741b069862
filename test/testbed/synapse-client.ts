/**
 * A tiny Matrix client-server API client (plain fetch) that tests drive as a second, human user: rooms, text,
 * HTML, edits, replies, redactions, reactions, and reading what a room shows.
 */
import { randomBytes } from "node:crypto";
import { waitUntil } from "./ports.js";

export type RawEvent = {
  event_id: string;
  type: string;
  sender: string;
  // biome-ignore lint/suspicious/noExplicitAny: raw Matrix events are loosely shaped JSON.
  content: any;
  redacts?: string;
  state_key?: string;
  origin_server_ts?: number;
};

export class MatrixTestUser {
  constructor(
    readonly base: string,
    readonly userId: string,
    readonly token: string,
    readonly password: string,
  ) {}

  // biome-ignore lint/suspicious/noExplicitAny: the CS API answers JSON of many shapes.
  async request(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  private txn(): string {
    return `t${Date.now()}${randomBytes(4).toString("hex")}`;
  }

  async createRoom(opts: { invite?: string[]; name?: string; alias?: string; encrypted?: boolean } = {}) {
    const initial_state = opts.encrypted
      ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }]
      : [];
    const res = await this.request("POST", "/_matrix/client/v3/createRoom", {
      preset: "public_chat",
      invite: opts.invite ?? [],
      name: opts.name,
      room_alias_name: opts.alias,
      initial_state,
    });
    return res.room_id as string;
  }

  /** Uploads bytes to the media repository; returns the mxc:// URI. */
  async upload(data: Buffer, contentType: string, name: string): Promise<string> {
    const res = await fetch(`${this.base}/_matrix/media/v3/upload?filename=${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": contentType },
      body: new Uint8Array(data),
    });
    const json = (await res.json()) as { content_uri?: string };
    if (!res.ok || !json.content_uri) throw new Error(`upload: ${res.status} ${JSON.stringify(json)}`);
    return json.content_uri;
  }

  invite(room: string, userId: string) {
    return this.request("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/invite`, { user_id: userId });
  }

  join(room: string) {
    return this.request("POST", `/_matrix/client/v3/join/${encodeURIComponent(room)}`, {});
  }

  async send(room: string, content: Record<string, unknown>, type = "m.room.message"): Promise<string> {
    const res = await this.request(
      "PUT",
      `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/${type}/${this.txn()}`,
      content,
    );
    return res.event_id as string;
  }

  sendText(room: string, body: string, extra: Record<string, unknown> = {}) {
    return this.send(room, { msgtype: "m.text", body, ...extra });
  }

  sendHtml(room: string, body: string, html: string) {
    return this.send(room, { msgtype: "m.text", body, format: "org.matrix.custom.html", formatted_body: html });
  }

  edit(room: string, eventId: string, body: string) {
    return this.send(room, {
      msgtype: "m.text",
      body: `* ${body}`,
      "m.new_content": { msgtype: "m.text", body },
      "m.relates_to": { rel_type: "m.replace", event_id: eventId },
    });
  }

  reply(room: string, eventId: string, body: string, fallback?: string) {
    return this.send(room, {
      msgtype: "m.text",
      body: fallback ? `${fallback}\n\n${body}` : body,
      "m.relates_to": { "m.in_reply_to": { event_id: eventId } },
    });
  }

  async redact(room: string, eventId: string, reason?: string): Promise<string> {
    const res = await this.request(
      "PUT",
      `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/redact/${encodeURIComponent(eventId)}/${this.txn()}`,
      reason ? { reason } : {},
    );
    return res.event_id as string;
  }

  react(room: string, eventId: string, key: string) {
    return this.send(room, { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } }, "m.reaction");
  }

  async setPowerLevel(room: string, userId: string, level: number) {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/state/m.room.power_levels/`;
    const pl = await this.request("GET", path);
    pl.users = { ...(pl.users ?? {}), [userId]: level };
    await this.request("PUT", path, pl);
  }

  /** The room's latest events, oldest first. */
  async messages(room: string, limit = 100): Promise<RawEvent[]> {
    const res = await this.request(
      "GET",
      `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=${limit}`,
    );
    return (res.chunk as RawEvent[]).reverse();
  }

  async membership(room: string, userId: string): Promise<string | undefined> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/state/m.room.member/${encodeURIComponent(userId)}`;
    const res = await this.request("GET", path).catch(() => undefined);
    return res?.membership;
  }

  /** Waits until the room shows events matching `pred` (polling /messages), returns them. */
  async waitFor(room: string, pred: (e: RawEvent) => boolean, count = 1, ms = 20_000): Promise<RawEvent[]> {
    let hits: RawEvent[] = [];
    await waitUntil(
      `${count} matching event(s) in ${room}`,
      async () => {
        hits = (await this.messages(room, 200)).filter(pred);
        return hits.length >= count;
      },
      ms,
    );
    return hits;
  }
}
