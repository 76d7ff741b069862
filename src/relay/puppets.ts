/**
 * Who a relayed sender is as a virtual user on platforms that make one per person (a Matrix ghost): named by the
 * sender's own adapter (Adapter.puppet), else by their account and id. Identities linked in crier (!link-identity)
 * are one person, so in rooms of any other account they are one virtual user: `["person", <hash of the person id>]`,
 * under the name they go by where they spoke last. In a room of their own account they keep their own (that account
 * is where the person is natively: a second Matrix room on the same server). The core never looks at the platform.
 *
 * The person id is the identity the others were linked to (services/identity.ts): linking more identities keeps it;
 * unlinking that one identity moves the person to another id (and so to a new virtual user from then on). What a
 * virtual user already said stays its own: edits and redactions act as whoever sent the original.
 */
import { createHash } from "node:crypto";
import type { Adapter, Puppet, SenderShown } from "../core/adapter.js";
import type { UserRef } from "../core/model.js";
import type { Identity } from "../services/identity.js";

export interface PuppetDeps {
  adapters: ReadonlyMap<string, Adapter>;
  identity: Identity;
}

/** The sender's virtual user in a room of `account`. */
export type PuppetIn = (account: string) => Puppet;

export function puppetOf(adapters: ReadonlyMap<string, Adapter>, user: UserRef): Puppet {
  return (
    adapters.get(user.account)?.puppet?.(user) ?? { id: [user.account, user.id], displayName: user.name || user.id }
  );
}

/** A linked person's virtual user: the same for all their identities, opaque (the person id is an identity key). */
export function personPuppet(personId: string, name: string): Puppet {
  return { id: ["person", createHash("sha256").update(personId).digest("hex").slice(0, 20)], displayName: name };
}

/** The user's virtual user per target account: their person's when they are linked (one store read). */
export async function puppetsOf(deps: PuppetDeps, user: UserRef): Promise<PuppetIn> {
  const own = puppetOf(deps.adapters, user);
  // An unverified id (a nick anyone may take) is never linked; no read for it.
  const person = user.unverified ? undefined : await deps.identity.linkedPerson(user);
  if (!person) return () => own;
  const shared = personPuppet(person, user.name || user.id);
  return (account) => (account === user.account ? own : shared);
}

/** The sender of an action without a body (a reaction, a join), for a platform that acts as that person. */
export function shownAs(user: UserRef, puppet: Puppet): SenderShown {
  return { name: user.name || user.id, key: `${user.account}:${user.id}`, puppet };
}
