/**
 * Joins, parts, kicks, quits, nick changes and topic changes in crier's channels, turned into crier's events. The
 * roster says which channels a quit or a nick change concerns (IRC announces those once per connection).
 */
import type { ChatEvent, UserRef } from "../../core/model.js";
import { ChannelRoster } from "./roster.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

export interface MembershipHost {
  account: string;
  isSelf(nick: string | undefined): boolean;
  /** crier's own JOIN/PART of a channel. */
  selfJoined(channel: string): void;
  selfLeft(channel: string): void;
  isJoined(channel: string): boolean;
  emit(event: ChatEvent): void;
}

/** The person behind an IRC event: their services account when the server tags it, else their nick. */
export function userOf(account: string, e: IrcEvent): UserRef {
  const services = e.account && e.account !== "*" ? String(e.account) : undefined;
  return { account, id: services ?? String(e.nick), name: String(e.nick) };
}

export class Membership {
  readonly roster = new ChannelRoster();

  constructor(private readonly host: MembershipHost) {}

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
  }

  private onJoin(e: IrcEvent): void {
    const channel = String(e.channel);
    if (this.host.isSelf(e.nick)) {
      this.host.selfJoined(channel);
      return;
    }
    this.roster.joined(channel, String(e.nick));
    this.host.emit({
      kind: "join",
      room: { account: this.host.account, room: channel },
      user: userOf(this.host.account, e),
      at: new Date(e.time ?? Date.now()),
    });
  }

  private onPart(channel: string, nick: string, reason?: string, quit = false): void {
    if (this.host.isSelf(nick)) {
      this.roster.forget(channel);
      this.host.selfLeft(channel);
      return;
    }
    if (!quit) this.roster.left(channel, nick);
    this.host.emit({
      kind: "part",
      room: { account: this.host.account, room: channel },
      user: { account: this.host.account, id: nick, name: nick },
      reason: quit ? `quit${reason ? `: ${reason}` : ""}` : reason,
      at: new Date(),
    });
  }

  private onNick(e: IrcEvent): void {
    if (this.host.isSelf(e.nick) || this.host.isSelf(e.new_nick)) return;
    for (const channel of this.roster.rename(e.nick, e.new_nick)) {
      this.host.emit({
        kind: "nick",
        room: { account: this.host.account, room: channel },
        user: userOf(this.host.account, e),
        newName: String(e.new_nick),
        at: new Date(e.time ?? Date.now()),
      });
    }
  }

  /** A TOPIC change; the topic the server sends on join has no nick and is not news. */
  private onTopic(e: IrcEvent): void {
    if (!e.nick || this.host.isSelf(e.nick) || !this.host.isJoined(String(e.channel))) return;
    this.host.emit({
      kind: "topic",
      room: { account: this.host.account, room: String(e.channel) },
      user: userOf(this.host.account, e),
      topic: String(e.topic ?? ""),
      at: new Date(e.time ?? Date.now()),
    });
  }
}
