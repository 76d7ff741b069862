/**
 * Who sent a message: with IRCv3 account-tag the server stamps each message with the sender's account (no tag =
 * not logged in), which is exact even if the nick changed hands a moment ago. Without it, the account book
 * (extended-join, account-notify, WHOX) answers for people in crier's channels, and a WHOIS (numeric 330) for
 * anyone else — asked per message and never remembered, since crier would not see that nick change hands.
 */
import type { UserRef } from "../../core/model.js";
import { accountName, ircUser } from "./accounts.js";
import { encodeCommand, isNick } from "./encoder.js";
import type { Membership } from "./membership.js";

// biome-ignore lint/suspicious/noExplicitAny: irc-framework ships no types; its events are plain objects.
type IrcEvent = any;

/** A WHOIS that gets no answer in this time counts as "no account" (the safe side). */
const WHOIS_TIMEOUT_MS = 5_000;
/** Bound on WHOIS lookups in flight; past it a sender counts as not logged in rather than queueing more lines. */
const MAX_LOOKUPS = 32;

export interface SenderHost {
  account: string;
  trustNicks: boolean;
  membership: Membership;
  /** Whether the server stamps messages with account-tag. */
  accountTags(): boolean;
  /** Sends a raw command line through crier's paced queue. */
  send(line: string): Promise<void>;
  /** Subscribes to irc-framework's `whois` replies; returns the unsubscribe. */
  onWhois(listener: (e: IrcEvent) => void): () => void;
}

export class SenderResolver {
  private readonly lookups = new Map<string, Promise<string | null>>();

  constructor(private readonly host: SenderHost) {}

  async resolve(e: IrcEvent): Promise<UserRef> {
    const nick = String(e.nick);
    const { membership, account, trustNicks } = this.host;
    if (this.host.accountTags()) {
      const services = accountName(e.account);
      membership.noteAccount(nick, services);
      return ircUser(account, nick, services, trustNicks);
    }
    const known = membership.accounts.get(nick);
    if (known !== undefined) return ircUser(account, nick, known, trustNicks);
    return ircUser(account, nick, await this.whois(nick), trustNicks);
  }

  private whois(nick: string): Promise<string | null> {
    const key = nick.toLowerCase();
    const pending = this.lookups.get(key);
    if (pending) return pending;
    if (!isNick(nick) || this.lookups.size >= MAX_LOOKUPS) return Promise.resolve(null);
    const lookup = new Promise<string | null>((resolve) => {
      let unsubscribe = () => undefined as void;
      const timer = setTimeout(() => finish(null), WHOIS_TIMEOUT_MS);
      const finish = (account: string | null) => {
        clearTimeout(timer);
        unsubscribe();
        this.lookups.delete(key);
        resolve(account);
      };
      unsubscribe = this.host.onWhois((w) => {
        if (String(w.nick ?? "").toLowerCase() === key) finish(w.error ? null : accountName(w.account));
      });
      this.host.send(encodeCommand("WHOIS", [nick])).catch(() => finish(null));
    });
    this.lookups.set(key, lookup);
    return lookup;
  }
}
