/**
 * Joins, parts, kicks, quits, nick changes and topic changes in crier's channels, turned into crier's events. The
 * roster says which channels a quit or a nick change concerns (IRC announces those once per connection); the
 * account book follows who is logged in to which services account (extended-join, account-notify, WHOX).
 */
import type { RoomMember } from "../../core/adapter.js";
import type { ChatEvent, UserRef } from "../../core/model.js";
import { AccountBook, accountName, ircUser } from "./accounts.js";
import { ChannelRoster } from "./roster.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

export interface MembershipHost {
  account: string;
  trustNicks: boolean;
  /** Whether the server sends extended-join (a JOIN then says the account, `*` for none). */
  extendedJoin(): boolean;
  /** Asks the server who is in a channel with their accounts (WHOX); resolves with nick and account pairs. */
  who(channel: string): Promise<Array<{ nick: string; account: unknown }>>;
  isSelf(nick: string | undefined): boolean;
  /** crier's own JOIN/PART of a channel. */
  selfJoined(channel: string): void;
  selfLeft(channel: string): void;
  isJoined(channel: string): boolean;
  emit(event: ChatEvent): void;
  now(): number;
}

export class Membership {
  readonly roster = new ChannelRoster();
  readonly accounts = new AccountBook();

  constructor(private readonly host: MembershipHost) {}

  /** Who a nick is, as far as crier knows now: their account when known, else the nick's unverified id. */
  userOf(nick: string): UserRef {
    return ircUser(this.host.account, nick, this.accounts.get(nick) ?? null, this.host.trustNicks);
  }

  attach(client: IrcEvent): void {
    client.on("join", (e: IrcEvent) => this.onJoin(e));
    client.on("part", (e: IrcEvent) => this.onPart(e.channel, e.nick, e.message));
    client.on("kick", (e: IrcEvent) => this.onPart(e.channel, e.kicked, e.message));
    client.on("quit", (e: IrcEvent) => {
      for (const channel of this.roster.quit(e.nick)) this.onPart(channel, e.nick, e.message, true);
    });
    client.on("nick", (e: IrcEvent) => this.onNick(e));
    client.on("topic", (e: IrcEvent) => this.onTopic(e));
    client.on("userlist", (e: IrcEvent) => this.roster.userlist(e));
    client.on("mode", (e: IrcEvent) => this.roster.mode(e));
    // account-notify: someone in a shared channel logged in (or out).
    client.on("account", (e: IrcEvent) => {
      if (e.nick && !this.host.isSelf(e.nick) && this.roster.has(String(e.nick)))
        this.accounts.set(String(e.nick), accountName(e.account));
    });
  }

  /** A message's account tag is the freshest word on the sender: remember it when crier follows that nick. */
  noteAccount(nick: string, account: string | null): void {
    if (this.roster.has(nick)) this.accounts.set(nick, account);
  }

  /** Everyone in a channel by the roster, crier left out, with the ids their own messages carry. */
  members(channel: string): RoomMember[] | undefined {
    return this.roster
      .nicks(channel)
      ?.filter((nick) => !this.host.isSelf(nick))
      .map((nick) => ({ user: this.userOf(nick), names: [nick] }));
  }

  /** The nick in a channel of the person with this id (a services account, or an unverified nick id). */
  nickOf(channel: string, id: string): string | undefined {
    return this.roster.nicks(channel)?.find((nick) => this.userOf(nick).id === id);
  }

  private onJoin(e: IrcEvent): void {
    const channel = String(e.channel);
    if (this.host.isSelf(e.nick)) {
      this.host.selfJoined(channel);
      void this.learnAccounts(channel);
      return;
    }
    const nick = String(e.nick);
    this.roster.joined(channel, nick);
    if (this.host.extendedJoin()) this.accounts.set(nick, accountName(e.account));
    this.host.emit({
      kind: "join",
      room: { account: this.host.account, room: channel },
      user: this.userOf(nick),
      at: new Date(e.time ?? this.host.now()),
    });
  }

  /** After crier joins: the accounts of everyone already there (WHOX); a failure leaves them unknown. */
  private async learnAccounts(channel: string): Promise<void> {
    try {
      for (const u of await this.host.who(channel)) {
        const nick = String(u.nick);
        // A plain WHO (no WHOX) says nothing of accounts: those stay unknown rather than "none".
        if (u.account === undefined) continue;
        if (!this.host.isSelf(nick) && this.roster.isIn(channel, nick)) this.accounts.set(nick, accountName(u.account));
      }
    } catch {
      // Unknown accounts are asked for one by one (WHOIS) when those users speak.
    }
  }

  private onPart(channel: string, nick: string, reason?: string, quit = false): void {
    if (this.host.isSelf(nick)) {
      for (const gone of this.roster.forget(channel)) if (!this.roster.has(gone)) this.accounts.forget(gone);
      this.host.selfLeft(channel);
      return;
    }
    const user = this.userOf(nick);
    if (!quit) this.roster.left(channel, nick);
    // Once crier shares no channel with a nick it hears nothing more about it: forget its account.
    if (!this.roster.has(nick)) this.accounts.forget(nick);
    this.host.emit({
      kind: "part",
      room: { account: this.host.account, room: channel },
      user,
      reason: quit ? `quit${reason ? `: ${reason}` : ""}` : reason,
      at: new Date(this.host.now()),
    });
  }

  private onNick(e: IrcEvent): void {
    if (this.host.isSelf(e.nick) || this.host.isSelf(e.new_nick)) return;
    const user = this.userOf(String(e.nick));
    this.accounts.rename(String(e.nick), String(e.new_nick));
    const after = this.userOf(String(e.new_nick));
    for (const channel of this.roster.rename(e.nick, e.new_nick)) {
      this.host.emit({
        kind: "nick",
        room: { account: this.host.account, room: channel },
        user,
        newName: String(e.new_nick),
        ...(after.id !== user.id ? { renamedTo: after } : {}),
        at: new Date(e.time ?? this.host.now()),
      });
    }
  }

  /** A TOPIC change; the topic the server sends on join has no nick and is not news. */
  private onTopic(e: IrcEvent): void {
    if (!e.nick || this.host.isSelf(e.nick) || !this.host.isJoined(String(e.channel))) return;
    this.host.emit({
      kind: "topic",
      room: { account: this.host.account, room: String(e.channel) },
      user: this.userOf(String(e.nick)),
      topic: String(e.topic ?? ""),
      at: new Date(e.time ?? this.host.now()),
    });
  }
}
