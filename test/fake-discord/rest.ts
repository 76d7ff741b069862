/** REST under /api/v10, with per-route rate-limit buckets, the real headers, and injectable 429s and 5xx. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Gateway } from "./gateway.js";
import { ApiError, checkContent, checkWebhookName, mentionsOf } from "./rules.js";
import { type FakeMessage, snowflake, type World } from "./state.js";

/** A JSON request body, as loose as Discord's own parser is. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON, read field by field.
type Json = Record<string, any>;

export interface Faults {
  /** The next N requests to message routes answer 429. */
  rateLimited: number;
  /** The next N requests answer 500. */
  serverErrors: number;
  /** Delay every answer by this many ms. */
  delayMs: number;
}

export interface InteractionReply {
  type: number;
  data?: Record<string, unknown>;
}

const BUCKET_LIMIT = 50;
const BUCKET_WINDOW_MS = 1000;

export class Rest {
  readonly faults: Faults = { rateLimited: 0, serverErrors: 0, delayMs: 0 };
  readonly interactionReplies = new Map<string, InteractionReply[]>();
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  private readonly buckets = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly world: World,
    private readonly gateway: Gateway,
    private readonly token: string,
    private readonly wsUrl: () => string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, "");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: Json = {};
    if (raw) {
      const json = (req.headers["content-type"] ?? "").includes("multipart") ? /\{[\s\S]*\}/.exec(raw)?.[0] : raw;
      try {
        body = JSON.parse(json ?? "{}");
      } catch {
        body = {};
      }
    }
    this.requests.push({ method: req.method ?? "GET", path, body });
    if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    const reply = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
      // Like Discord, a 204 has no body and no content type (a JSON type on an empty body breaks clients).
      res.writeHead(status, data === undefined ? headers : { "content-type": "application/json", ...headers });
      res.end(data === undefined ? "" : JSON.stringify(data));
    };
    try {
      const needsAuth = !path.startsWith("/webhooks/") && !path.startsWith("/interactions/");
      if (needsAuth && req.headers.authorization !== `Bot ${this.token}`)
        throw new ApiError(401, 0, "401: Unauthorized");
      if (this.faults.serverErrors > 0 && path.includes("/messages")) {
        this.faults.serverErrors--;
        return reply(500, { message: "Internal Server Error", code: 0 });
      }
      const route = `${req.method} ${path.replace(/\d{6,}/g, ":id").replace(/\/[^/]+\/messages/, "/:c/messages")}`;
      const limited = this.rateLimit(route, path);
      if (limited) return reply(429, limited.body, limited.headers);
      const bucket = this.buckets.get(route)!;
      const rl = {
        "x-ratelimit-limit": String(BUCKET_LIMIT),
        "x-ratelimit-remaining": String(Math.max(0, BUCKET_LIMIT - bucket.count)),
        "x-ratelimit-reset-after": String(Math.max(0, (bucket.resetAt - Date.now()) / 1000).toFixed(3)),
        "x-ratelimit-bucket": Buffer.from(route).toString("hex").slice(0, 16),
      };
      const [status, data] = await this.route(req.method ?? "GET", path, body, url);
      reply(status, data, rl);
    } catch (err) {
      if (err instanceof ApiError) return reply(err.status, { message: err.message, code: err.code });
      reply(500, { message: String(err), code: 0 });
    }
  }

  private rateLimit(route: string, path: string): { body: unknown; headers: Record<string, string> } | undefined {
    const now = Date.now();
    let b = this.buckets.get(route);
    if (!b || b.resetAt <= now) {
      b = { count: 0, resetAt: now + BUCKET_WINDOW_MS };
      this.buckets.set(route, b);
    }
    b.count++;
    const forced =
      (this.faults.rateLimited > 0 && path.includes("/messages")) ||
      (this.faults.rateLimited > 0 && path.startsWith("/webhooks/"));
    if (forced) this.faults.rateLimited--;
    if (!forced && b.count <= BUCKET_LIMIT) return undefined;
    const retry = forced ? 0.2 : (b.resetAt - now) / 1000;
    return {
      body: { message: "You are being rate limited.", retry_after: retry, global: false },
      headers: {
        "retry-after": String(Math.ceil(retry)),
        "x-ratelimit-limit": String(BUCKET_LIMIT),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset-after": retry.toFixed(3),
        "x-ratelimit-scope": "user",
        "x-ratelimit-bucket": "forced",
      },
    };
  }

  /** Creates a message as the bot, a webhook or a person, and tells the gateway. */
  createMessage(
    channelId: string,
    author: FakeMessage["author"],
    body: Json,
    extra: Partial<FakeMessage> = {},
  ): FakeMessage {
    const list = this.world.messages.get(channelId);
    if (!list) throw new ApiError(404, 10003, "Unknown Channel");
    const content = checkContent(body.content);
    if (body.nonce && body.enforce_nonce) {
      const seen = this.world.nonces.get(`${author.id}:${body.nonce}`);
      if (seen) return seen;
    }
    const m = this.world.message(channelId, author, content, {
      ...mentionsOf(content, body.allowed_mentions, this.world.users),
      nonce: body.nonce,
      message_reference: body.message_reference
        ? { message_id: String(body.message_reference.message_id), channel_id: channelId, guild_id: this.world.guildId }
        : undefined,
      ...extra,
    });
    list.push(m);
    if (body.nonce && body.enforce_nonce) this.world.nonces.set(`${author.id}:${body.nonce}`, m);
    // A webhook is no guild member: Discord sends its messages without `member` (with one, discord.js would list
    // each relayed name as a person in the channel).
    this.gateway.dispatch("MESSAGE_CREATE", m.webhook_id ? m : { ...m, member: this.world.member(author.id) });
    return m;
  }

  private find(channelId: string, messageId: string): FakeMessage {
    const m = this.world.messages.get(channelId)?.find((x) => x.id === messageId);
    if (!m) throw new ApiError(404, 10008, "Unknown Message");
    return m;
  }

  private async route(method: string, path: string, body: Json, url: URL): Promise<[number, unknown?]> {
    const w = this.world;
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/gateway/bot")
      return [
        200,
        {
          url: this.wsUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        },
      ];
    if (method === "GET" && path === "/gateway") return [200, { url: this.wsUrl() }];
    if (method === "GET" && path === "/users/@me") return [200, w.bot];
    if (method === "GET" && path === "/applications/@me")
      return [200, { id: w.appId, name: "crier", flags: 0, bot: w.bot }];
    if ((m = /^\/guilds\/(\d+)$/.exec(path)) && method === "GET") return [200, w.guildPayload()];
    if ((m = /^\/guilds\/(\d+)\/channels$/.exec(path))) return [200, w.guildPayload().channels];
    if ((m = /^\/guilds\/(\d+)\/roles$/.exec(path))) return [200, w.guildPayload().roles];
    if ((m = /^\/guilds\/(\d+)\/members\/(\d+)$/.exec(path))) {
      if (!w.users.has(m[2])) throw new ApiError(404, 10007, "Unknown Member");
      return [200, w.member(m[2])];
    }
    if ((m = /^\/channels\/(\d+)$/.exec(path))) {
      const c = w.channels.get(m[1]);
      if (!c) throw new ApiError(404, 10003, "Unknown Channel");
      return [200, w.guildPayload().channels.find((x) => x.id === c.id)];
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      if (method === "POST") return [200, this.createMessage(m[1], w.bot, body)];
      const list = w.messages.get(m[1]) ?? [];
      const after = url.searchParams.get("after");
      const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 50));
      const picked = after ? list.filter((x) => BigInt(x.id) > BigInt(after)).slice(0, limit) : list.slice(-limit);
      return [200, [...picked].reverse()];
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path))) {
      const msg = this.find(m[1], m[2]);
      if (method === "PATCH") {
        msg.content = checkContent(body.content ?? msg.content);
        msg.edited_timestamp = new Date().toISOString();
        this.gateway.dispatch("MESSAGE_UPDATE", msg);
        return [200, msg];
      }
      if (method === "DELETE") {
        w.messages.set(
          m[1],
          (w.messages.get(m[1]) ?? []).filter((x) => x.id !== m![2]),
        );
        this.gateway.dispatch("MESSAGE_DELETE", { id: m[2], channel_id: m[1], guild_id: w.guildId });
        return [204];
      }
      return [200, msg];
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/.exec(path))) {
      this.find(m[1], m[2]);
      w.reactions.push({ channelId: m[1], messageId: m[2], emoji: decodeURIComponent(m[3]), userId: w.bot.id });
      return [204];
    }
    if ((m = /^\/channels\/(\d+)\/webhooks$/.exec(path))) {
      if (method === "GET")
        return [200, [...w.webhooks.values()].filter((h) => h.channel_id === m![1]).map((h) => this.webhookPayload(h))];
      checkWebhookName(body.name);
      const hook = {
        id: snowflake(),
        token: `whtoken${snowflake()}`,
        channel_id: m[1],
        name: String(body.name ?? "crier"),
      };
      w.webhooks.set(hook.id, hook);
      return [200, this.webhookPayload(hook)];
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === "POST" && w.webhooks.has(m[1])) {
      const hook = w.webhooks.get(m[1])!;
      if (hook.token !== m[2]) throw new ApiError(401, 50027, "Invalid Webhook Token");
      checkWebhookName(body.username);
      const author = {
        id: hook.id,
        username: String(body.username ?? hook.name),
        bot: true,
        discriminator: "0000",
        avatar: null,
      };
      const msg = this.createMessage(hook.channel_id, author, body, { webhook_id: hook.id });
      return url.searchParams.get("wait") === "true" ? [200, msg] : [204];
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(\d+|@original)$/.exec(path))) {
      const hook = w.webhooks.get(m[1]);
      if (!hook) return this.interactionMessage(method, m[2], m[3], body);
      const msg = this.find(hook.channel_id, m[3]);
      if (method === "DELETE") {
        w.messages.set(
          hook.channel_id,
          (w.messages.get(hook.channel_id) ?? []).filter((x) => x.id !== msg.id),
        );
        this.gateway.dispatch("MESSAGE_DELETE", { id: msg.id, channel_id: hook.channel_id, guild_id: w.guildId });
        return [204];
      }
      msg.content = checkContent(body.content ?? msg.content);
      msg.edited_timestamp = new Date().toISOString();
      this.gateway.dispatch("MESSAGE_UPDATE", msg);
      return [200, msg];
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === "POST") {
      this.recordInteraction(m[2], { type: 4, data: body });
      return [200, w.message("0", w.bot, String(body.content ?? ""))];
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      if (method === "PUT")
        w.commands = (Array.isArray(body) ? body : []).map((c: Record<string, unknown>) => ({
          ...c,
          id: snowflake(),
          application_id: w.appId,
          version: snowflake(),
        }));
      return [200, w.commands];
    }
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      this.recordInteraction(m[2], { type: Number(body.type), data: body.data });
      if (url.searchParams.get("with_response") !== "true") return [204];
      return [
        200,
        {
          interaction: {
            id: m[1],
            type: 2,
            activity_instance_id: null,
            response_message_id: null,
            response_message_loading: body.type === 5,
            response_message_ephemeral: !!((body.data?.flags ?? 0) & 64),
          },
          resource: { type: Number(body.type) },
        },
      ];
    }
    throw new ApiError(404, 0, `404: Not Found (${method} ${path})`);
  }

  private interactionMessage(
    method: string,
    token: string,
    id: string,
    body: Record<string, unknown>,
  ): [number, unknown?] {
    if (method === "PATCH") this.recordInteraction(token, { type: 7, data: body });
    return [
      200,
      this.world.message("0", this.world.bot, String(body.content ?? ""), {
        id: id === "@original" ? snowflake() : id,
      }),
    ];
  }

  private recordInteraction(token: string, r: InteractionReply): void {
    this.interactionReplies.set(token, [...(this.interactionReplies.get(token) ?? []), r]);
  }

  private webhookPayload(h: { id: string; token: string; channel_id: string; name: string }) {
    return {
      id: h.id,
      type: 1,
      token: h.token,
      channel_id: h.channel_id,
      guild_id: this.world.guildId,
      name: h.name,
      avatar: null,
      application_id: this.world.appId,
      // Discord names the creator of a webhook (here always crier's bot) to those who may manage webhooks.
      user: this.world.bot,
    };
  }
}
