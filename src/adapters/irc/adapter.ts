/**
 * The IRC adapter on irc-framework. irc-framework does registration, CAP negotiation, SASL and parsing; crier does
 * everything that must be safe or durable itself: every outgoing line goes through the safe encoder and the paced
 * queue, reconnects go on forever with backoff and jitter (irc-framework gives up), delivery is confirmed by
 * echo-message, and history replayed on join (chanhistory) comes in as backfill with stable msgids.
 */
import IRC from "irc-framework";
import {
  type Adapter,
  type AdapterDeps,
  type Capabilities,
  type ConnectionState,
  type EventSink,
  NO_CAPABILITIES,
  type OutgoingMessage,
  type Puppet,
  type RoomMember,
  type SendResult,
} from "../../core/adapter.js";
import type { AccountStatus } from "../../core/connection.js";
import type { RoomRef, UserRef } from "../../core/model.js";
import type { RichText } from "../../core/richtext.js";
import type { IrcConfig } from "./config.js";
import { encodeCommand, isChannel, isNick } from "./encoder.js";
import { IrcConnection } from "./connection.js";
import { gapEvent, HistoryGaps } from "./history-gap.js";
import { ctcpReply } from "./options.js";
import { PacedQueue } from "./pacing.js";
import { ircMessageEvent } from "./inbound.js";
import { Membership } from "./membership.js";
import { OwnLines } from "./own-lines.js";
import { HistoryReplays } from "./replay.js";
import { type IrcRenderOptions, pasteLink, renderIrcMessage } from "./render.js";
import { SenderResolver } from "./sender.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

const JOIN_WAIT_MS = 10_000;
const HISTORY_SETTLE_MS = 1_500;
const WHO_TIMEOUT_MS = 15_000;

export class IrcAdapter implements Adapter {
  readonly capabilities: Capabilities;
  private client: IrcEvent;
  private queue: PacedQueue;
  private readonly connection: IrcConnection;
  private readonly gaps: HistoryGaps;
  private sink: EventSink | undefined;
  private regainTimer: NodeJS.Timeout | undefined;
  private readonly joined = new Map<string, number>();
  private readonly joinWaiters = new Map<string, Array<() => void>>();
  private readonly membership: Membership;
  private readonly sender: SenderResolver;
  private inbound: Promise<void> = Promise.resolve();
  private readonly own = new OwnLines();
  private readonly replays: HistoryReplays;
  private lastCtcpReply = 0;

  constructor(
    readonly account: string,
    private readonly config: IrcConfig,
    private readonly deps: AdapterDeps,
  ) {
    this.replays = new HistoryReplays(deps.clock, HISTORY_SETTLE_MS);
    this.capabilities = {
      ...NO_CAPABILITIES,
      // The paced queue is shared by the account's rooms; one room may use all of it.
      linesPerMinute: 60_000 / config.lineIntervalMs,
    };
    const now = () => deps.clock.now();
    this.queue = new PacedQueue((line) => this.writeNow(line), config.burst, config.lineIntervalMs, now);
    this.membership = new Membership({
      account,
      trustNicks: config.trustNicks,
      extendedJoin: () => !!this.client.network?.cap?.isEnabled?.("extended-join"),
      who: (channel) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`WHO ${channel} timed out`)), WHO_TIMEOUT_MS);
          this.client.who(channel, (r: IrcEvent) => {
            clearTimeout(timer);
            resolve(r?.users ?? []);
          });
        }),
      isSelf: (nick) => this.isSelf(nick),
      selfJoined: (channel) => {
        this.joined.set(channel.toLowerCase(), now());
        this.replays.joined(channel);
        this.gaps.joined(channel, HISTORY_SETTLE_MS, (gap) => this.sink?.(gapEvent(account, channel, gap, now())));
        for (const w of this.joinWaiters.get(channel.toLowerCase())?.splice(0) ?? []) w();
      },
      selfLeft: (channel) => this.joined.delete(channel.toLowerCase()),
      isJoined: (channel) => this.joined.has(channel.toLowerCase()),
      emit: (event) => this.sink?.(event),
      now,
    });
    this.sender = new SenderResolver({
      account,
      trustNicks: config.trustNicks,
      membership: this.membership,
      accountTags: () => !!this.client.network?.cap?.isEnabled?.("account-tag"),
      send: (line) => this.queue.push(line),
      onWhois: (listener) => {
        this.client.on("whois", listener);
        return () => this.client.removeListener("whois", listener);
      },
    });
    this.gaps = new HistoryGaps(deps.store, account, deps.log);
    this.client = this.makeClient();
    this.connection = new IrcConnection(account, this.client, config, deps, {
      up: (reconnect) => this.onRegistered(reconnect),
      down: () => this.onClose(),
    });
  }

  rooms(): string[] {
    return this.config.channels;
  }

  state(): ConnectionState {
    return this.connection.state;
  }

  status(): AccountStatus {
    return this.connection.status();
  }

  selfName(): string | undefined {
    return this.client?.user?.nick;
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    if (this.config.trustNicks)
      this.deps.log.warn(
        "trustNicks is on: a user without a services account is known by nick alone, so whoever takes a nick gets its rights (admins, links) — only for a private server",
      );
    this.deps.metrics?.collect(
      "crier_irc_queue_depth",
      "lines waiting in the IRC send queue",
      ["account"],
      async () => [{ labels: { account: this.account }, value: this.queue.depth }],
      this.account,
    );
    // Do not hold the daemon's start-up hostage to a server that is down (the first failure ends the wait, tries go
    // on in the background): the outbox waits for the account instead.
    await this.gaps.load();
    await this.connection.start(5_000);
    this.regainTimer = setInterval(() => this.regainNick(), this.config.regainEverySec * 1000);
    this.regainTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.regainTimer);
    this.deps.metrics?.forget("crier_irc_queue_depth", this.account);
    this.queue.clear("stopping");
    await this.connection.stop();
    await this.gaps.close();
  }

  private makeClient(): IrcEvent {
    const client = new IRC.Client();
    client.on("nick in use", (e: IrcEvent) => {
      if (this.connection.state !== "connected")
        client.changeNick(this.config.altNick && e.nick !== this.config.altNick ? this.config.altNick : `${e.nick}_`);
    });
    this.membership.attach(client);
    client.on("privmsg", (e: IrcEvent) => this.onMessage(e, {}));
    client.on("action", (e: IrcEvent) => this.onMessage(e, { action: true }));
    client.on("notice", (e: IrcEvent) => this.onMessage(e, { notice: true }));
    client.on("ctcp request", (e: IrcEvent) => this.onCtcp(e));
    client.on("raw", (e: IrcEvent) => e.from_server && this.replays.rawLine(String(e.line)));
    client.on("batch end chathistory", (b: IrcEvent) => this.replays.ended(String(b.params?.[0] ?? "")));
    return client;
  }

  private onRegistered(reconnect: boolean): void {
    this.deps.log.info({ nick: this.selfName() }, reconnect ? "IRC reconnected" : "IRC connected");
    if (this.client.network?.supports?.("BOT"))
      this.queue.push(encodeCommand("MODE", [this.selfName()!], "+B")).catch(() => undefined);
    for (const ch of this.config.channels) this.queue.push(encodeCommand("JOIN", [ch])).catch(() => undefined);
  }

  private onClose(): void {
    this.joined.clear();
    this.own.clear();
    this.membership.accounts.clear();
    this.queue.clear("IRC connection closed");
  }

  private regainNick(): void {
    if (this.connection.state === "connected" && this.selfName()?.toLowerCase() !== this.config.nick.toLowerCase()) {
      this.queue.push(encodeCommand("NICK", [this.config.nick])).catch(() => undefined);
    }
  }

  /** crier itself right now: only its current nick's joins, parts, quits and echoes are its own. */
  private isSelf(nick: string | undefined): boolean {
    return !!nick && nick.toLowerCase() === this.selfName()?.toLowerCase();
  }

  /**
   * Nicks an earlier crier may have spoken under (configured, alternate, `nick_`): its lines replayed from history
   * after a crash, when the old connection still held the nick, are never relayed back. Live, these nicks are
   * people like any other: someone who takes `crier_` is relayed, and their PART cannot make crier think it left.
   */
  private isOwnName(nick: string | undefined): boolean {
    if (!nick) return false;
    const n = nick.toLowerCase();
    return [this.selfName(), this.config.nick, this.config.altNick, `${this.config.nick}_`].some(
      (x) => x?.toLowerCase() === n,
    );
  }

  private onMessage(e: IrcEvent, kind: { action?: boolean; notice?: boolean }): void {
    if (e.from_server || !e.nick) return;
    const target = String(e.target);
    const message = String(e.message ?? "");
    const joinedTarget = this.joined.get(target.toLowerCase());
    // The server's history batch says so; without one, a line older than the join by more than a moment is replayed.
    const replayed =
      e.batch?.type === "chathistory" ||
      (joinedTarget !== undefined && !!e.time && Number(e.time) < joinedTarget - 2_000);
    if (isChannel(target))
      this.gaps.seen(target, e.time ? Number(e.time) : this.deps.clock.now(), `${e.nick} ${message}`, replayed);
    if (this.isSelf(e.nick) || (replayed && this.isOwnName(e.nick))) {
      if (replayed) this.own.replayed(target, message, e.tags?.msgid);
      else this.own.echoed(target, message, e.tags?.msgid);
      return;
    }
    // Messages are handed on in the order they came, even when one waits for a WHOIS to say who sent it.
    const sender = this.sender.resolve(e);
    const receivedAt = this.deps.clock.now();
    this.inbound = this.inbound.then(async () => {
      const event = ircMessageEvent(this.account, e, kind, await sender, (c) => this.joined.get(c), receivedAt);
      this.sink?.(event);
    });
  }

  private onCtcp(e: IrcEvent): void {
    // Answer at most one CTCP every two seconds: crier must not be usable as a reflector.
    const now = this.deps.clock.now();
    if (now - this.lastCtcpReply < 2_000) return;
    const lines = ctcpReply(e, this.selfName() ?? this.config.nick, now);
    if (!lines.length) return;
    this.lastCtcpReply = now;
    for (const line of lines) this.queue.push(line).catch(() => undefined);
  }

  private writeNow(line: string): void {
    if (!this.client.connection?.connected) throw new Error("IRC connection closed");
    this.client.connection.write(line);
  }

  private async waitJoined(channel: string): Promise<void> {
    if (!isChannel(channel) || this.joined.has(channel.toLowerCase())) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`not in ${channel} yet`)), JOIN_WAIT_MS);
      const list = this.joinWaiters.get(channel.toLowerCase()) ?? [];
      list.push(() => {
        clearTimeout(t);
        resolve();
      });
      this.joinWaiters.set(channel.toLowerCase(), list);
    });
  }

  /** How lines for a channel are rendered; addressed people there lead the line by their nick (highlight.ts). */
  private renderOptions(channel: string): IrcRenderOptions {
    const { replyAs, formatting, monospace, maxLinesPerMessage: maxLines } = this.config;
    const nickOf = (user: UserRef) => this.membership.nickOf(channel, user.id);
    return { nick: this.selfName() ?? this.config.nick, replyAs, formatting, monospace, maxLines, nickOf };
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (this.connection.state !== "connected") throw new Error("not connected to IRC");
    await this.waitJoined(msg.room);
    const opts = this.renderOptions(msg.room);
    const lines = renderIrcMessage(msg, {
      ...opts,
      moreLink: (await pasteLink(msg, opts, this.deps)) ?? msg.originalUrl,
    });
    const echo = this.client.network?.cap?.isEnabled?.("echo-message");
    const confirmations: Array<Promise<string | undefined>> = [];
    for (const line of lines) {
      if (echo) confirmations.push(this.own.expectEcho(msg.room, line.slice(line.indexOf(" :") + 2)));
      await this.queue.push(line, () => this.deps.mayAct?.() !== false);
    }
    const ids = await Promise.all(confirmations);
    if (echo && ids.some((id) => id === undefined) && this.connection.state !== "connected")
      throw new Error("IRC connection lost before the server confirmed the message");
    return { nativeIds: lines.map((_, i) => ids[i] ?? `${msg.idempotencyKey}#${i}`) };
  }

  readonly linesFor = (msg: OutgoingMessage): number => renderIrcMessage(msg, this.renderOptions(msg.room)).length;

  /** Looks for the message's lines among crier's own lines replayed on join; IRC itself cannot dedupe a resend. */
  async alreadyDelivered(msg: OutgoingMessage): Promise<string[] | undefined> {
    if (this.connection.state !== "connected" || !isChannel(msg.room)) return undefined;
    await this.waitJoined(msg.room);
    const joinedAt = this.joined.get(msg.room.toLowerCase()) ?? this.deps.clock.now();
    // The replay follows the JOIN at once; wait for all of it (or a moment, when none begins).
    await this.replays.settled(msg.room, joinedAt);
    const lines = renderIrcMessage(msg, this.renderOptions(msg.room));
    const ids: string[] = [];
    for (const line of lines) {
      const text = line.slice(line.indexOf(" :") + 2);
      const hit = this.own.findReplayed(msg.room, text);
      if (!hit) return undefined;
      ids.push(hit.msgid ?? `${msg.idempotencyKey}#${ids.length}`);
    }
    return ids;
  }

  async isRoomAdmin(user: UserRef, room: RoomRef): Promise<boolean> {
    return this.membership.roster.isOp(room.room, user.name);
  }

  mentionFor(user: UserRef): RichText {
    return [{ t: "mention", name: user.name, user }];
  }

  readonly members = async (room: string): Promise<RoomMember[] | undefined> => this.membership.members(room);
  /** An IRC id is the account (or, `~nick`, the nick) of that name. */
  readonly namesOf = (userId: string): string[] => [userId.replace(/^~/, "")];
  /** One virtual user per account (or unverified nick) of this network; nicks and accounts ignore case. */
  readonly puppet = (user: UserRef): Puppet => ({
    id: ["irc", ...this.account.split(".").slice(1), user.id.toLowerCase()],
    displayName: `${user.name} (IRC)`,
  });

  /** A NOTICE to the nick reaches only that person. */
  privateRoom(user: UserRef): string | undefined {
    return isNick(user.name) ? user.name : undefined;
  }
}
