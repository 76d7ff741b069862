/**
 * Inbound events: every one runs inside an error boundary, is shown to every feature (relay, minutes…), then
 * parsed for commands. A UserError's text goes to the user; anything else is logged with a reference id the user
 * is shown, and the daemon carries on.
 */
import { type Capabilities, NO_CAPABILITIES, type Responder } from "../core/adapter.js";
import { type AnyCommand, helpFor } from "../core/commands.js";
import type { AppContext, Feature } from "../core/context.js";
import { newErrorRef, UserError } from "../core/errors.js";
import type { ChatEvent, MessageEvent, RoomRef } from "../core/model.js";
import { userKey } from "../core/model.js";
import { RateLimiter } from "../core/ratelimit.js";
import { fromPlain, type RichText, toPlain } from "../core/richtext.js";
import { didYouMean } from "../core/suggest.js";
import { resolveZone } from "./zone-fallback.js";
import { StoreUnavailableError } from "../store/store.js";

const MAX_COMMAND_TEXT = 4000;
const QUEUE_PATIENCE_MS = 30_000;
/** An event whose own handling (not its wait behind the room's earlier events) takes longer is logged and counted. */
export const SLOW_EVENT_MS = 250;
export const SLOW_EVENTS = "crier_slow_events_total";
/** Resolves when `p` settles or after `ms`, whichever is first (and leaves no timer behind). */
function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.finally(() => {
      clearTimeout(timer);
      resolve();
    }).catch(() => undefined);
  });
}

export class Dispatcher {
  private perUser: RateLimiter;
  private perRoom: RateLimiter;
  private readonly warnedLimit = new Set<string>();
  private readonly roomQueues = new Map<string, Promise<void>>();
  private readonly commandQueues = new Map<string, Promise<void>>();
  /** Platform reply channels for events that came with one (e.g. a slash-command interaction). */
  readonly responders = new WeakMap<MessageEvent, Responder>();

  constructor(
    private readonly app: AppContext,
    private readonly features: Feature[],
  ) {
    this.perUser = new RateLimiter(app.config.commands.perUserPerMinute);
    this.perRoom = new RateLimiter(app.config.commands.perRoomPerMinute);
  }

  /** A reloaded config: command budgets follow it (the counts so far start over). */
  reconfigure(): void {
    this.perUser = new RateLimiter(this.app.config.commands.perUserPerMinute);
    this.perRoom = new RateLimiter(this.app.config.commands.perRoomPerMinute);
  }

  /** Entry point for adapters. Never throws; returns when the event is fully handled (tests await it). */
  async handle(event: ChatEvent, responder?: Responder): Promise<void> {
    // An instance that is no longer the active one (its lease ran out while it was paused, say) handles nothing
    // that was still buffered: the active instance receives the same events, and a direct reply would go around
    // the fenced outbox.
    if (!this.app.fence.holds()) return;
    if (responder && event.kind === "message") this.responders.set(event, responder);
    const ref = newErrorRef();
    const busy = { ms: 0 };
    try {
      await this.inRoomOrder(this.roomQueues, event, () => this.showFeatures(event, ref), busy);
      // Commands keep their own queue: answered in the order asked, without holding up the room's relaying.
      if (event.kind === "message" && !event.fromSelf && !event.backfill)
        await this.inRoomOrder(this.commandQueues, event, () => this.commands(event), busy);
    } catch (err) {
      this.app.log.error({ err, ref, room: event.room }, "event handling failed");
    } finally {
      if (busy.ms > SLOW_EVENT_MS) this.reportSlow(event, ref, busy.ms);
    }
  }

  /** Once per slow event: where it came from and how long it took, never what it said. */
  private reportSlow(event: ChatEvent, ref: string, ms: number): void {
    this.app.metrics.inc(SLOW_EVENTS, `inbound events that took over ${SLOW_EVENT_MS} ms to handle`, {
      account: event.room.account,
    });
    const id = "id" in event ? event.id : undefined;
    this.app.log.warn(
      { ref, room: event.room, kind: event.kind, ...(id ? { id } : {}), ms: Math.round(ms) },
      "slow event: its handling held crier up",
    );
  }

  /**
   * Features see a room's events one at a time, in the order the adapter gave them: adapters hand over events
   * without waiting, and a slow first store write must not let the next message of the same room overtake it.
   */
  private async inRoomOrder(
    queues: Map<string, Promise<void>>,
    event: ChatEvent,
    run: () => Promise<void>,
    busy: { ms: number },
  ): Promise<void> {
    const key = `${event.room.account}\0${event.room.room}`;
    // The one before goes first, but a failed or stuck one never holds the room for long.
    const before = queues.get(key);
    const timed = async () => {
      const t0 = performance.now();
      try {
        await run();
      } finally {
        busy.ms += performance.now() - t0;
      }
    };
    const mine = (before ? settledWithin(before, QUEUE_PATIENCE_MS) : Promise.resolve()).then(timed);
    queues.set(key, mine);
    try {
      await mine;
    } finally {
      if (queues.get(key) === mine) queues.delete(key);
    }
  }

  private async showFeatures(event: ChatEvent, ref: string): Promise<void> {
    for (const f of this.features) {
      if (!f.onEvent) continue;
      try {
        await f.onEvent(event, this.app);
      } catch (err) {
        this.app.log.error({ err, ref, feature: f.name, room: event.room }, "feature failed on an event");
      }
    }
  }

  private async commands(event: MessageEvent): Promise<void> {
    const text = toPlain(event.body);
    if (text.length > MAX_COMMAND_TEXT || !text) return;
    const selfName = this.app.adapters.get(event.room.account)?.selfName?.();
    const { invocations, unknown } = this.app.commands.parseMessage(text, selfName);
    if (unknown !== undefined && !invocations.length) {
      if (!this.withinBudget(event)) return;
      const hint = didYouMean(unknown, this.app.commands.names());
      await this.answer(
        event,
        fromPlain(`unknown command "${unknown}"${hint || "."} Try ${this.app.commands.prefix}help`),
        false,
      );
      return;
    }
    for (const inv of invocations) {
      if (!this.withinBudget(event)) return;
      await this.runCommand(event, inv.command, inv.args);
    }
  }

  private withinBudget(event: MessageEvent): boolean {
    if (this.app.adapters.get(event.room.account)?.unlimitedCommands?.(event.sender)) return true;
    const now = this.app.clock.now();
    const u = `u:${userKey(event.sender)}`;
    const r = `r:${event.room.account}/${event.room.room}`;
    // A flooding person is warned once; a room flooded by a crowd is warned once, not once per person in it.
    const over = !this.perUser.allow(u, now) ? u : !this.perRoom.allow(r, now) ? r : undefined;
    if (!over) {
      this.warnedLimit.delete(u);
      this.warnedLimit.delete(r);
      return true;
    }
    if (!this.warnedLimit.has(over)) {
      if (this.warnedLimit.size > 10_000) this.warnedLimit.clear();
      this.warnedLimit.add(over);
      // The one warning says when commands work again, so the silence that follows is not a mystery.
      const limiter = over === u ? this.perUser : this.perRoom;
      const seconds = Math.max(1, Math.ceil(limiter.retryAfter(over, now) / 1000));
      const whose = over === u ? "you sent" : "this room sent";
      const budget = over === u ? this.app.config.commands.perUserPerMinute : this.app.config.commands.perRoomPerMinute;
      void this.answer(
        event,
        fromPlain(
          `slow down: ${whose} more than ${budget} commands in a minute; try again in ${seconds} s (until then commands get no answer)`,
        ),
        true,
      ).catch(() => undefined);
    }
    return false;
  }

  private async runCommand(event: MessageEvent, cmd: AnyCommand, args: string): Promise<void> {
    const ref = newErrorRef();
    const ctx = this.context(event, cmd);
    try {
      if (cmd.permission !== "anyone") {
        const ok =
          cmd.permission === "admin" ? await ctx.isAdmin() : (await ctx.isAdmin()) || (await this.isOrganiser(event));
        if (!ok)
          throw new UserError(`only ${cmd.permission}s may use ${cmd.prefix ?? this.app.commands.prefix}${cmd.name}`);
      }
      if (args === "help" || args === "--help") {
        await ctx.reply(helpFor(cmd, this.app.commands.prefix));
        return;
      }
      const parsed = cmd.parse ? cmd.parse(args) : args;
      const result = await cmd.run(parsed, ctx);
      if (result !== undefined && result !== null && (typeof result === "string" ? result.length : result.length))
        await ctx.reply(result);
    } catch (err) {
      if (err instanceof UserError) {
        await ctx.reply(err.message).catch(() => undefined);
      } else if (err instanceof StoreUnavailableError) {
        this.app.log.error({ err, ref, command: cmd.name }, "store unavailable; command refused");
        await ctx
          .reply(
            `crier cannot save anything right now (its storage is full or read-only), so nothing was done; please try again later (ref ${ref})`,
          )
          .catch(() => undefined);
      } else {
        this.app.log.error(
          { err, ref, command: cmd.name, room: event.room, user: userKey(event.sender) },
          "command failed",
        );
        await ctx.reply(`something went wrong (ref ${ref})`).catch(() => undefined);
      }
    }
  }

  private async isOrganiser(event: MessageEvent): Promise<boolean> {
    const organisers = this.app.config.commands.organisers;
    if (!organisers.length || event.sender.unverified) return false;
    const person = await this.app.identity.personId(event.sender);
    const ids = await this.app.identity.identitiesOf(person);
    return ids.some((id) => organisers.includes(id));
  }

  private context(event: MessageEvent, cmd: AnyCommand) {
    const adapter = this.app.adapters.get(event.room.account);
    const capabilities: Capabilities = adapter?.capabilities ?? NO_CAPABILITIES;
    return {
      app: this.app,
      event,
      user: event.sender,
      room: event.room,
      isPrivate: !!event.isPrivate,
      capabilities,
      reply: (body: string | RichText, opts?: { private?: boolean }) =>
        this.answer(
          event,
          typeof body === "string" ? fromPlain(body) : body,
          opts?.private ?? cmd.privateReply ?? false,
        ),
      whisper: (body: string) => this.whisper(event, fromPlain(body)),
      isAdmin: (room = event.room) => this.app.isAdmin(event.sender, room),
      zone: () => resolveZone(this.app, event.sender, event.room),
      now: () => this.app.clock.now(),
    };
  }

  /** Only the asker sees it, or nothing is said: a secret in a public room is everyone's. */
  private async whisper(event: MessageEvent, body: RichText): Promise<void> {
    const responder = this.responders.get(event);
    if (responder) return responder(body, { private: true });
    const room = event.isPrivate
      ? event.room.room
      : this.app.adapters.get(event.room.account)?.privateRoom?.(event.sender, event.room);
    if (!room)
      throw new UserError(
        "that answer is for you alone and crier cannot say anything privately here: ask in a private message to crier (IRC) or with the slash command (Discord)",
      );
    await this.app.notify({ account: event.room.account, room }, body, `whisper:${event.room.account}:${event.id}`);
  }

  private answerRooms(event: MessageEvent): RoomRef[] {
    return this.features.flatMap((f) => f.answerRooms?.(event.room, event.sender) ?? []);
  }

  private async answer(event: MessageEvent, body: RichText, isPrivate: boolean): Promise<void> {
    const responder = this.responders.get(event);
    if (responder) {
      await responder(body, { private: isPrivate });
      return;
    }
    const key = `reply:${event.room.account}:${event.room.room}:${event.id}:${newErrorRef()}`;
    try {
      await this.app.notify(event.room, body, key);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      // The outbox cannot take it while the store is down: answer straight away, without the delivery guarantee.
      await this.app.adapters
        .get(event.room.account)
        ?.send({ room: event.room.room, body, kind: "notice", idempotencyKey: key });
    }
    // Whole conversations: a public answer is also said where the linked rooms saw the command.
    if (isPrivate || event.isPrivate) return;
    for (const room of this.answerRooms(event))
      await this.app.notify(room, body, `${key}->${room.account}/${room.room}`).catch((err) => {
        this.app.log.error({ err, room }, "an answer to a linked room could not be queued");
      });
  }
}
