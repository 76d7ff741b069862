/**
 * On IRC a person is their services account, never their nick: anyone can take a free nick, only services can
 * say who logged in. crier learns each user's account from the server (IRCv3 account-tag on every message,
 * extended-join, account-notify, WHOX after joining, WHOIS 330 as the fallback) and keys the user by it.
 *
 * A user with no account gets the id `~<nick>`: `~` is not a nick or account character on any IRC network, so
 * such an id can never equal an account id. It is marked `unverified`: it never matches `admins` or organisers,
 * cannot be linked with !link-identity, and it changes with the nick (so nothing follows a nick change).
 * `trustNicks: true` (a private server) makes the plain nick the id of a user without an account, as before.
 */
import type { UserRef } from "../../core/model.js";

/** Services account names are nick-like: no spaces, no `~` first, at most 64 bytes (NICKLEN is 30 on most). */
const ACCOUNT_NAME = /^[^\s~*:,][^\s:,]{0,63}$/;
/** Bound on remembered users: only people in crier's channels are remembered; past this the oldest are dropped. */
const MAX_REMEMBERED = 20_000;

/** The account a server reported, or null for "no account" (an invalid name counts as none). */
export function accountName(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === false || raw === "" || raw === "*" || raw === "0") return null;
  const s = String(raw);
  return ACCOUNT_NAME.test(s) ? s : null;
}

/** The UserRef of a nick with the given account (null: not logged in). */
export function ircUser(account: string, nick: string, services: string | null, trustNicks: boolean): UserRef {
  if (services) return { account, id: services, name: nick };
  if (trustNicks) return { account, id: nick, name: nick };
  return { account, id: `~${nick}`, name: nick, unverified: true };
}

const lower = (s: string) => s.toLowerCase();

/**
 * Which account each nick in crier's channels is logged in to. Only nicks crier shares a channel with are kept,
 * because only for them does the server tell crier about nick changes, quits and logins; a stale entry for a
 * nick crier cannot follow would hand its account to whoever takes the nick next.
 */
export class AccountBook {
  /** lower(nick) → account, or null when known not to be logged in. Absent = unknown. */
  private readonly byNick = new Map<string, string | null>();

  get(nick: string): string | null | undefined {
    return this.byNick.get(lower(nick));
  }

  set(nick: string, account: string | null): void {
    const key = lower(nick);
    this.byNick.delete(key);
    this.byNick.set(key, account);
    if (this.byNick.size > MAX_REMEMBERED) this.byNick.delete(this.byNick.keys().next().value as string);
  }

  /** The account stays with the connection across a nick change. */
  rename(from: string, to: string): void {
    const known = this.byNick.get(lower(from));
    this.byNick.delete(lower(from));
    if (known !== undefined) this.set(to, known);
    else this.byNick.delete(lower(to));
  }

  forget(nick: string): void {
    this.byNick.delete(lower(nick));
  }

  clear(): void {
    this.byNick.clear();
  }
}
