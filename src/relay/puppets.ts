/**
 * Who a relayed sender is as a virtual user on platforms that make one per person (a Matrix ghost): named by the
 * sender's own adapter (Adapter.puppet), else by their account and id. The core never looks at the platform.
 */
import type { Adapter, OutgoingMessage, Puppet, SenderShown } from "../core/adapter.js";
import type { MembershipEvent, UserRef } from "../core/model.js";

export function puppetOf(adapters: ReadonlyMap<string, Adapter>, user: UserRef): Puppet {
  return (
    adapters.get(user.account)?.puppet?.(user) ?? { id: [user.account, user.id], displayName: user.name || user.id }
  );
}

/** The sender of an action without a body (a reaction), for a platform that acts as that person. */
export function shownAs(adapters: ReadonlyMap<string, Adapter>, user: UserRef): SenderShown {
  return { name: user.name || user.id, key: `${user.account}:${user.id}`, puppet: puppetOf(adapters, user) };
}

/** A join or leave, with whose it is, for a platform that shows it as that person's own (a Matrix ghost). */
export function membershipOf(
  adapters: ReadonlyMap<string, Adapter>,
  event: MembershipEvent,
): OutgoingMessage["membership"] {
  return event.kind === "join" || event.kind === "part"
    ? { kind: event.kind, who: shownAs(adapters, event.user) }
    : undefined;
}
