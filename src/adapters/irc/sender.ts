/**
 * Who sent a message: with IRCv3 account-tag the server stamps each message with the sender's account (no tag =
 * not logged in), which is exact even if the nick changed hands a moment ago. Without it, the account book
 * (extended-join, account-notify, WHOX) answers for people in crier's channels, and a WHOIS (numeric 330) for
 * anyone else. A WHOIS answer is remembered only for someone in a shared channel (crier sees that nick's changes
 * and quits); for anyone else it is asked per message, since crier would not see the nick change hands. A WHOIS
 * describes whoever holds the nick when the server answers (one who has left by then counts as not logged in):
 * the reason account-tag is preferred.
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
  private readonly lookups = new Map<string, Promise<string | null | undefined>>();

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
    const services = await this.whois(nick);
    if (services !== undefined) membership.noteAccount(nick, services);
    return ircUser(account, nick, services ?? null, trustNicks);
  }

  /** The nick's account, null for none, undefined when the server did not say (then: not logged in, not cached). */
  private whois(nick: string): Promise<string | null | undefined> {
    const key = nick.toLowerCase();
    const pending = this.lookups.get(key);
    if (pending) return pending;
    if (!isNick(nick) || this.lookups.size >= MAX_LOOKUPS) return Promise.resolve(undefined);
    const lookup = new Promise<string | null | undefined>((resolve) => {
      let unsubscribe = () => undefined as void;
      const timer = setTimeout(() => finish(undefined), WHOIS_TIMEOUT_MS);
      const finish = (account: string | null | undefined) => {
        clearTimeout(timer);
        unsubscribe();
        this.lookups.delete(key);
        resolve(account);
      };
      unsubscribe = this.host.onWhois((w) => {
        if (String(w.nick ?? "").toLowerCase() === key) finish(w.error ? null : accountName(w.account));
      });
      this.host.send(encodeCommand("WHOIS", [nick])).catch(() => finish(undefined));
    });
    this.lookups.set(key, lookup);
    return lookup;
  }
}
