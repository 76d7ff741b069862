/** The gateway: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE, dispatches with sequence numbers, RESUME replay. */
import type { WebSocket } from "ws";
import { snowflake, type World } from "./state.js";

interface Session {
  id: string;
  seq: number;
  /** Events sent on this session, for replay on RESUME. */
  log: Array<{ s: number; t: string; d: unknown }>;
  socket?: WebSocket;
}

export class Gateway {
  readonly sessions = new Map<string, Session>();
  private current: Session | undefined;
  identifies = 0;
  resumes = 0;

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly url: () => string,
  ) {}

  attach(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null }));
    ws.on("message", (raw) => {
      let msg: { op: number; d: Record<string, unknown> };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, "Decode error");
        return;
      }
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      else if (msg.op === 2) this.identify(ws, msg.d);
      else if (msg.op === 6) this.resume(ws, msg.d);
    });
    ws.on("close", () => {
      if (this.current?.socket === ws) this.current.socket = undefined;
    });
  }

  private identify(ws: WebSocket, d: Record<string, unknown>): void {
    if (String(d.token).replace(/^Bot /, "") !== this.token) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    this.identifies++;
    const session: Session = { id: snowflake(), seq: 0, log: [], socket: ws };
    this.sessions.set(session.id, session);
    this.current = session;
    this.send(session, "READY", {
      v: 10,
      user: this.world.bot,
      guilds: [{ id: this.world.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.url(),
      shard: [0, 1],
      application: { id: this.world.appId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      user_settings: {},
      guild_join_requests: [],
    });
    this.send(session, "GUILD_CREATE", this.world.guildPayload());
  }

  private resume(ws: WebSocket, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id));
    if (!session || String(d.token).replace(/^Bot /, "") !== this.token) {
      ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
      return;
    }
    this.resumes++;
    session.socket = ws;
    this.current = session;
    for (const e of session.log.filter((x) => x.s > Number(d.seq ?? 0))) ws.send(JSON.stringify({ op: 0, ...e }));
    this.send(session, "RESUMED", {});
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq++;
    const e = { s: session.seq, t, d };
    session.log.push(e);
    if (session.log.length > 5000) session.log.shift();
    session.socket?.send(JSON.stringify({ op: 0, ...e }));
  }

  /** An event for the bot; kept for replay even while its socket is down (as Discord does for a resumable session). */
  dispatch(t: string, d: unknown): void {
    if (this.current) this.send(this.current, t, d);
  }

  // --- faults ---
  /** Closes the socket with a resumable code; the client resumes and gets what it missed. */
  dropSocket(): void {
    this.current?.socket?.close(4000, "Unknown error");
  }

  /** Op 7: the client must reconnect and resume. */
  forceReconnect(): void {
    this.current?.socket?.send(JSON.stringify({ op: 7, d: null, s: null, t: null }));
  }

  /** Op 9 false: the session is gone; events until the client identifies again are lost to it. */
  invalidSession(): void {
    const s = this.current;
    if (!s) return;
    this.sessions.delete(s.id);
    this.current = undefined;
    s.socket?.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
  }
}
