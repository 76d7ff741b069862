/**
 * The name a relayed message is shown under. Two people with one display name, or someone named like crier
 * itself, could pass for each other on the other networks; such a name gets the sender's own handle added —
 * `Mallory (@mallory2:example.org)` — the way Matrix clients tell same-named members apart.
 */
import type { AppContext } from "../core/context.js";
import type { UserRef } from "../core/model.js";
import { foldName } from "../core/fold-name.js";

/** What naming needs to know of the people crier has seen (the seen feature answers it). */
export interface SeenNames {
  namedFolded(folded: string): Promise<UserRef[]>;
}

/** Long names are cut before the handle, so the handle always shows. */
const NAME_BEFORE_HANDLE = 24;

async function sharedWithSomeoneElse(
  app: AppContext,
  seen: SeenNames,
  sender: UserRef,
  folded: string,
): Promise<boolean> {
  const own = [...app.adapters.values()].map((a) => (a as { selfName?: () => string | undefined }).selfName?.());
  if (own.some((n) => n && foldName(n) === folded)) return true;
  // Everyone crier has seen under this name (the seen feature records names as they are used).
  const rows = await seen.namedFolded(folded).catch(() => []);
  const me = await app.identity.personId(sender);
  for (const r of rows) {
    if (r.account === sender.account && r.id === sender.id) continue;
    if ((await app.identity.personId({ account: r.account, id: r.id })) !== me) return true;
  }
  return false;
}

export async function shownName(app: AppContext, seen: SeenNames, sender: UserRef): Promise<string> {
  const name = sender.name || sender.id;
  const folded = foldName(name);
  if (!(await sharedWithSomeoneElse(app, seen, sender, folded))) return name;
  const handle = sender.handle ?? sender.id;
  const tag = foldName(handle) === folded ? sender.account : handle;
  return `${[...name].slice(0, NAME_BEFORE_HANDLE).join("")} (${tag})`;
}
