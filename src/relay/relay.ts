/**
 * The bridge: turns inbound events in linked rooms into outbox items for every other room of their links.
 * Recording the origin and enqueueing its copies happen in one transaction, so a crash or a replayed event (resume,
 * backfill, restart) can neither lose a copy nor make a second one.
 */
import { type Adapter, type Capabilities, NO_CAPABILITIES, type OutgoingMessage } from "../core/adapter.js";
import type { AppContext } from "../core/context.js";
import type { ChatEvent, EditEvent, MembershipEvent, MessageEvent, RoomRef, UserRef } from "../core/model.js";
import { roomKey, userKey } from "../core/model.js";
import { type RichText, text, walk } from "../core/richtext.js";
import type { OutboxItem } from "../delivery/outbox.js";
import { isIgnored, linksOf, type Route, routesFrom } from "./links.js";
import { FloodGuard, type FoldedRun, floodBacklogMs, foldLine } from "./flood.js";
import { MembershipCoalescer } from "./membership-noise.js";
import { describedChange, membershipText, relayedNotice } from "./notices.js";
import { addressFor, findAddressees, type TargetOf } from "./mentions.js";
import { MessageMap, messageKey } from "./message-map.js";
import { membershipOf, puppetOf, shownAs } from "./puppets.js";
import { type Present, SenderNames } from "./names.js";
import { buildRelayMessage, excerptOf, type ReplyContext } from "./render.js";

/** People one message may mention natively; the store is read once for each of them. */
export const MAX_MENTION_LOOKUPS = 20;

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

  constructor(private readonly app: AppContext) {
    this.map = new MessageMap(app.store);
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
    await this.app.outbox.enqueue([relayedNotice(run.target, foldLine(run), `relay-fold:${key}`)]);
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
    const { sender, puppet, translate } = await this.prepare(event);
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
        puppet,
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
      const admitted = paced.filter(({ target, backlogMs }) =>
        this.floods.admit(
          target,
          event.sender,
          event.room,
          originalUrl,
          this.caps(target.account).linesPerMinute,
          backlogMs,
        ),
      );
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
    const { sender, puppet, translate } = await this.prepare(event);
    const items: OutboxItem[] = [];
    for (const { target } of this.routes(event.room, event.sender)) {
      const caps = this.caps(target.account);
      const { body, allowed } = translate(target);
      const message = buildRelayMessage({
        targetRoom: target.room,
        targetCaps: caps,
        sender,
        puppet,
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
        ...(op === "react" ? { sender: shownAs(this.app.adapters, event.sender) } : {}),
        idempotencyKey: `relay-${op}:${messageKey(event.room, id)}->${target.account}/${target.room}`,
      };
      items.push({ account: target.account, op, message, emoji, target: await this.copyIn(orig.msgKey, target) });
    }
    if (items.length) await this.app.outbox.enqueue(items);
  }

  private async onMembership(event: MembershipEvent): Promise<void> {
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
    const membership = membershipOf(this.app.adapters, event);
    const items = this.membershipRoutes(event).map(({ target }) =>
      relayedNotice(target, said, `${keyKind}:${source}`, membership),
    );
    if (items.length) await this.app.outbox.enqueue(items);
  }

  /** Messages folded per target room (`account/room`) since crier started. */
  folded(): ReadonlyMap<string, number> {
    return this.floods.foldedTotals;
  }

  stop(): void {
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

  /** Every room of every link the room belongs to: where a name must not pass for someone else's. */
  private scopeOf(room: RoomRef): RoomRef[] {
    const seen = new Map<string, RoomRef>();
    for (const link of linksOf(this.app.config.links, room))
      for (const r of link.rooms) seen.set(`${r.account}/${r.room}`, { account: r.account, room: r.room });
    return [...seen.values()];
  }

  /**
   * What one message needs for all its targets, looked up once: the name its sender is shown under, and its body
   * per target with addresses of people present made native mentions there.
   */
  private async prepare(event: MessageEvent | EditEvent) {
    const present = await this.names.present(this.scopeOf(event.room));
    const sender: UserRef = { ...event.sender, name: await this.names.shown(event.sender, present) };
    const puppet = puppetOf(this.app.adapters, event.sender);
    const found = await findAddressees(event.body, event.room, present, this.app.identity);
    const targetOf = await this.targetsOf([...new Set(found.byName.values())], present);
    const explicit = await this.mentionResolver(event.body);
    const translate = (target: RoomRef) =>
      addressFor(event.body, found, target, targetOf, (u) => explicit(u, target.account));
    return { sender, puppet, translate };
  }

  /** Where each named person can be mentioned: a linked identity on the target account, one present there first. */
  private async targetsOf(people: string[], present: readonly Present[]): Promise<TargetOf> {
    const ids = new Map<string, string[]>();
    for (const p of people.slice(0, MAX_MENTION_LOOKUPS)) ids.set(p, await this.app.identity.identitiesOf(p));
    return (person, account, room) => {
      const mine = (ids.get(person) ?? []).filter((k) => k.startsWith(`${account}:`));
      const here = present.find(
        (p) => p.room.account === account && p.room.room === room && mine.includes(userKey(p.member.user)),
      );
      if (here) return here.member.user;
      const any = present.find((p) => mine.includes(userKey(p.member.user)));
      if (any) return any.member.user;
      return mine.length ? { account, id: mine[0].slice(account.length + 1), name: "" } : undefined;
    };
  }

  /**
   * Looks up, once per message, every identity of every mentioned person — at most MAX_MENTION_LOOKUPS people: a
   * message naming thousands costs a bounded number of store reads, and the rest stay names (they ping no one).
   */
  private async mentionResolver(body: RichText) {
    const people = new Map<string, string[]>();
    const users = new Map<string, UserRef>();
    walk(body, (n) => {
      if (n.t === "mention" && n.user && users.size < MAX_MENTION_LOOKUPS) users.set(userKey(n.user), n.user);
    });
    for (const [key, u] of users)
      people.set(key, await this.app.identity.identitiesOf(await this.app.identity.personId(u)));
    return (user: UserRef, targetAccount: string): UserRef | undefined => {
      const ids = people.get(userKey(user)) ?? [];
      const hit = ids.find((k) => k.startsWith(`${targetAccount}:`));
      return hit ? { account: targetAccount, id: hit.slice(targetAccount.length + 1), name: user.name } : undefined;
    };
  }

  adapterFor(room: RoomRef): Adapter | undefined {
    return this.app.adapters.get(room.account);
  }
}
