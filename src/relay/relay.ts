/**
 * The bridge: turns inbound events in linked rooms into outbox items for every other room of their links.
 * Recording the origin and enqueueing its copies happen in one transaction, so a crash or a replayed event (resume,
 * backfill, restart) can neither lose a copy nor make a second one.
 */
import { type Adapter, type Capabilities, NO_CAPABILITIES, type OutgoingMessage } from "../core/adapter.js";
import type { AppContext } from "../core/context.js";
import type { ChatEvent, EditEvent, MembershipEvent, MessageEvent, RoomRef, UserRef } from "../core/model.js";
import { roomKey, userKey } from "../core/model.js";
import { text, toPlain } from "../core/richtext.js";
import type { OutboxItem } from "../delivery/outbox.js";
import { isIgnored, linksOf, type Route, routesFrom } from "./links.js";
import { FloodGuard, type FoldedRun, floodBacklogMs, foldLine } from "./flood.js";
import { FoldLog } from "./fold-log.js";
import { MembershipCoalescer } from "./membership-noise.js";
import { describedChange, membershipText, relayedNotice } from "./notices.js";
import { type Addressed, addressMessage } from "./addressing.js";
import { MessageMap, messageKey } from "./message-map.js";
import { puppetsOf, shownAs } from "./puppets.js";
import { RenameThrottle, renamedUser } from "./renames.js";
import { SenderNames } from "./names.js";
import { buildRelayMessage, excerptOf, type ReplyContext } from "./render.js";

/** The idempotency key of a message's relayed copy in one room (so later edits can name what they act on). */
const copyKey = (msgKey: string, target: RoomRef) => `relay:${msgKey}->${target.account}/${target.room}`;

export class Relay {
  readonly map: MessageMap;
  readonly names: SenderNames;
  private paused = new Set<string>();
  /** One person's joins, parts and nick changes in a burst become one line. */
  private readonly noise: MembershipCoalescer;
  /** Floods into paced rooms (IRC) are folded into one line per sender (flood.ts). */
  private readonly floods: FloodGuard;
  /** What the flood policy folded, for the fold line's page. */
  readonly folds: FoldLog;
  /** Renames of virtual users, at most one per person, room and window (renames.ts). */
  private readonly renames: RenameThrottle;

  constructor(private readonly app: AppContext) {
    this.map = new MessageMap(app.store);
    this.folds = new FoldLog(app.store);
    this.renames = new RenameThrottle(app.clock);
    this.names = new SenderNames({
      adapters: app.adapters,
      identity: app.identity,
      admins: app.config.admins,
      now: () => app.clock.now(),
    });
    this.noise = new MembershipCoalescer(
      app.clock,
      (last, said, key) => this.relayMembership(last, said, "relay-coalesced", `/${key}`),
      10_000,
      (err) => app.log.warn({ err }, "could not relay a membership summary"),
    );
    this.floods = new FloodGuard(
      () => app.clock.now(),
      (run) => void this.sayFolded(run).catch((err) => app.log.warn({ err }, "could not say a flood's fold line")),
    );
  }

  /** The fold line in the flooded room, counted, and admins told once per flood. */
  private async sayFolded(run: FoldedRun): Promise<void> {
    const key = `${roomKey(run.origin)}/${userKey(run.sender)}/${run.firstAt}`;
    this.app.metrics.inc(
      "crier_folded_messages_total",
      "relayed messages folded into one line by the flood policy",
      { account: run.target.account },
      run.count,
    );
    const page = this.app.config.http.publicUrl?.replace(/\/$/, "");
    const line = foldLine(run, page ? `${page}/folded/${run.id}` : undefined);
    await this.app.outbox.enqueue([relayedNotice(run.target, line, `relay-fold:${key}`)]);
    await this.app.warnAdmins(
      `flood: ${run.count} messages from ${run.sender.name} (${run.origin.account}) folded into one line in ${run.target.account}/${run.target.room}`,
      `flood:${key}->${roomKey(run.target)}`,
    );
  }

  async init(): Promise<void> {
    this.paused = await this.map.pausedLinks();
    // A relayed copy's `ref` is the logical message it copies; its native ids join the map as it is delivered.
    this.app.outbox.onDelivered(async (tx, d) => {
      if (d.ref && d.op === "send" && d.nativeIds.length)
        await this.map.recordCopy(tx, d.ref, { account: d.account, room: d.room }, d.nativeIds);
    });
  }

  isPaused(name: string): boolean {
    return this.paused.has(name);
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.map.setPaused(name, paused);
    if (paused) this.paused.add(name);
    else this.paused.delete(name);
  }

  private routes(room: RoomRef, sender: UserRef): Route[] {
    const { links } = this.app.config;
    return routesFrom(links, room, this.paused).filter((r) => {
      const link = links.find((l) => l.name === r.link)!;
      return !isIgnored(link, sender);
    });
  }

  /** Where crier's answer to a command said in `room` also goes: where the command itself was relayed. */
  answerRooms(room: RoomRef, sender: UserRef): RoomRef[] {
    return this.routes(room, sender)
      .filter((r) => this.app.config.links.find((l) => l.name === r.link)?.answersEverywhere !== false)
      .map((r) => r.target);
  }

  private caps(account: string): Capabilities {
    return this.app.adapters.get(account)?.capabilities ?? NO_CAPABILITIES;
  }

  async onEvent(event: ChatEvent): Promise<void> {
    if (event.kind === "message" && !event.fromSelf && linksOf(this.app.config.links, event.room).length)
      this.names.spoke(event.room, event.sender);
    if (event.kind === "part") this.names.left(event.room, event.user);
    if (event.kind === "nick" && event.newName) this.names.renamed(event.room, event.user, event.newName);
    switch (event.kind) {
      case "message":
        return this.onMessage(event);
      case "edit":
        return this.onEdit(event);
      case "delete":
        return this.onDeleteOrReact(event, "delete");
      case "reaction":
        return this.onDeleteOrReact(event, "react", event.emoji);
      case "join":
      case "part":
      case "nick":
      case "topic":
        return this.onMembership(event);
    }
  }

  private async onMessage(event: MessageEvent): Promise<void> {
    if (event.fromSelf || event.viaBridge) return;
    if (event.notice && !this.app.config.relay.relayNotices) return;
    const routes = this.routes(event.room, event.sender);
    if (!routes.length) return;
    const { sender, puppetIn, translate } = await this.prepare(event);
    const replied = event.replyTo ? await this.map.lookup(event.room, event.replyTo) : undefined;
    const msgKey = messageKey(event.room, event.id);
    const originalUrl = this.adapterFor(event.room)?.permalink?.(event.room.room, event.id);
    const items: OutboxItem[] = [];
    const paced: { item: OutboxItem; target: RoomRef; backlogMs: number }[] = [];
    for (const { target, link } of routes) {
      const { body, allowed } = translate(target);
      let reply: ReplyContext | undefined;
      if (replied)
        reply = {
          nativeId: (await this.map.idsIn(replied.msgKey, target))[0],
          authorName: replied.authorName,
          excerpt: replied.excerpt,
        };
      const message = buildRelayMessage({
        targetRoom: target.room,
        targetCaps: this.caps(target.account),
        sender,
        puppet: puppetIn(target.account),
        body,
        action: event.action,
        attachments: event.attachments,
        reply,
        idempotencyKey: copyKey(msgKey, target),
        allowedMentions: allowed,
        originalUrl,
      });
      const item: OutboxItem = { account: target.account, message, ref: msgKey };
      items.push(item);
      paced.push({ item, target, backlogMs: floodBacklogMs(this.app.config.links.find((l) => l.name === link)) });
    }
    await this.app.store.tx(async (tx) => {
      const fresh = await this.map.recordOrigin(
        {
          room: event.room,
          nativeId: event.id,
          authorKey: userKey(event.sender),
          authorName: sender.name,
          excerpt: excerptOf(event.body),
          at: event.at.getTime(),
        },
        tx,
      );
      if (!fresh) return;
      const admitted: typeof paced = [];
      for (const p of paced) {
        const lines = this.adapterFor(p.target)?.linesFor?.(p.item.message) ?? 1;
        const pace = this.caps(p.target.account).linesPerMinute;
        if (this.floods.admit(p.target, event.sender, event.room, originalUrl, pace, p.backlogMs, lines)) {
          admitted.push(p);
          continue;
        }
        const run = this.floods.openRun(p.target, event.sender);
        if (run)
          await this.folds.record(
            tx,
            run.id,
            run.count,
            { target: p.target, origin: event.room },
            { author: sender.name, text: toPlain(event.body), at: event.at.getTime() },
          );
      }
      if (admitted.length)
        await this.app.outbox.enqueue(
          admitted.map((p) => p.item),
          tx,
        );
    });
  }

  /** Only the author's own edit of a message first said in this very room is mirrored. */
  private async onEdit(event: EditEvent): Promise<void> {
    const orig = await this.map.lookup(event.room, event.targetId);
    if (!orig?.isOrigin || orig.authorKey !== userKey(event.sender)) return;
    const { sender, puppetIn, translate } = await this.prepare(event);
    const items: OutboxItem[] = [];
    for (const { target } of this.routes(event.room, event.sender)) {
      const caps = this.caps(target.account);
      const { body, allowed } = translate(target);
      const message = buildRelayMessage({
        targetRoom: target.room,
        targetCaps: caps,
        sender,
        puppet: puppetIn(target.account),
        body: caps.edit ? body : [text("(edit) "), ...body],
        idempotencyKey: `relay-edit:${messageKey(event.room, event.id)}->${target.account}/${target.room}`,
        allowedMentions: allowed,
      });
      items.push(
        caps.edit
          ? { account: target.account, op: "edit", message, target: await this.copyIn(orig.msgKey, target) }
          : { account: target.account, op: "send", message },
      );
    }
    if (items.length) await this.app.outbox.enqueue(items);
  }

  private async onDeleteOrReact(
    event: ChatEvent & { sender: UserRef; targetId: string },
    op: "delete" | "react",
    emoji?: string,
  ): Promise<void> {
    const orig = await this.map.lookup(event.room, event.targetId);
    if (!orig) return;
    // A delete must come from the author of a message said here; a reaction may be on any copy.
    if (op === "delete" && (!orig.isOrigin || orig.authorKey !== userKey(event.sender))) return;
    const id = "id" in event ? String(event.id) : `${event.targetId}:${op}`;
    const items: OutboxItem[] = [];
    for (const { target, link } of this.routes(event.room, event.sender)) {
      const caps = this.caps(target.account);
      if (op === "delete" ? !caps.delete : !caps.reactions) {
        if (this.app.config.links.find((l) => l.name === link)?.describeChanges)
          items.push(describedChange(event, op, emoji, orig.excerpt, target, messageKey(event.room, id)));
        continue;
      }
      const message: OutgoingMessage = {
        room: target.room,
        body: [],
        kind: "relay",
        // Who reacted, for a platform that reacts as that person.
        ...(op === "react"
          ? { sender: shownAs(event.sender, (await this.puppets(event.sender))(target.account)) }
          : {}),
        idempotencyKey: `relay-${op}:${messageKey(event.room, id)}->${target.account}/${target.room}`,
      };
      items.push({ account: target.account, op, message, emoji, target: await this.copyIn(orig.msgKey, target) });
    }
    if (items.length) await this.app.outbox.enqueue(items);
  }

  private async onMembership(event: MembershipEvent): Promise<void> {
    await this.renameVirtualUsers(event);
    if (!this.membershipRoutes(event).length || !this.noise.admit(event)) return;
    await this.relayMembership(event, membershipText(event), `relay-${event.kind}`);
  }

  private membershipRoutes(event: MembershipEvent): Route[] {
    return this.routes(event.room, event.user).filter(
      (r) => this.app.config.links.find((l) => l.name === r.link)?.membership,
    );
  }

  private async relayMembership(event: MembershipEvent, said: string, keyKind: string, keyTail = ""): Promise<void> {
    const source = `${event.room.account}/${event.room.room}/${event.user.id}/${event.at.getTime()}${keyTail}`;
    const routes = this.membershipRoutes(event);
    if (!routes.length) return;
    // A join or leave is the person's own where they are a virtual user (a ghost joins or leaves).
    const joinOrPart = event.kind === "join" || event.kind === "part" ? event.kind : undefined;
    const puppetIn = joinOrPart && (await this.puppets(event.user));
    const whose = (t: RoomRef) => puppetIn && { kind: joinOrPart, who: shownAs(event.user, puppetIn(t.account)) };
    await this.app.outbox.enqueue(
      routes.map(({ target: t }) => relayedNotice(t, said, `${keyKind}:${source}`, whose(t) || undefined)),
    );
  }

  /** A name change: the person's virtual users (where targets have them) take the new name now (renames.ts). */
  private async renameVirtualUsers(event: MembershipEvent): Promise<void> {
    const user = renamedUser(event);
    const routes = user ? this.routes(event.room, event.user).filter((r) => this.caps(r.target.account).puppets) : [];
    if (!user || !routes.length) return;
    const puppetIn = await this.puppets(user);
    for (const { target } of routes)
      this.renames.offer(event, user, puppetIn(target.account), target, (item) =>
        this.app.outbox.enqueue([item]).catch((err) => this.app.log.warn({ err }, "could not rename a virtual user")),
      );
  }

  private puppets(user: UserRef) {
    return puppetsOf({ adapters: this.app.adapters, identity: this.app.identity }, user);
  }

  /** Messages folded per target room (`account/room`) since crier started. */
  folded(): ReadonlyMap<string, number> {
    return this.floods.foldedTotals;
  }

  stop(): void {
    this.renames.stop();
    this.noise.stop();
    this.floods.close();
  }

  /**
   * What an edit, delete or reaction in `target` acts on: the copy delivery sent there (found by its key at send
   * time — it may still be on its way, or share a combined message with others), else the ids the map knows.
   */
  private async copyIn(msgKey: string, target: RoomRef): Promise<OutboxItem["target"]> {
    const nativeIds = await this.map.idsIn(msgKey, target);
    return { key: copyKey(msgKey, target), ...(nativeIds.length ? { nativeIds } : {}) };
  }

  private adapterFor(room: RoomRef): Adapter | undefined {
    return this.app.adapters.get(room.account);
  }

  /** What one message needs for all its targets (addressing.ts), with this relay's names and links. */
  private prepare(event: MessageEvent | EditEvent): Promise<Addressed> {
    const { adapters, identity, config } = this.app;
    return addressMessage({ adapters, identity, names: this.names, links: config.links }, event);
  }
}
