/**
 * People in a meeting: a name said in chat (`#chair mara`, `#action mara …`) is resolved to the person behind it,
 * whatever platform it was said on, and a person is written in the minutes by a name, never by a platform id.
 */
import type { CommandContext } from "../../core/commands.js";
import type { AppContext } from "../../core/context.js";
import type { SeenPeople } from "../seen.js";

/** The person a name means: someone crier has seen under it (on the asker's platform first), else the name itself. */
export async function personOfName(ctx: CommandContext, seen: SeenPeople, name: string): Promise<string> {
  const [who] = await seen.find(name, ctx.room.account);
  return who ? ctx.app.identity.personId(who) : `name:${name.replace(/^@/, "").toLowerCase()}`;
}

/**
 * A readable name for a person key: the name they first spoke under in this meeting, else the name crier last saw
 * on one of their accounts. Person keys are `account:nativeId`, and a native id (a Discord snowflake, a Matrix id)
 * is no name; only when nothing else is known is it shown.
 */
export async function nameOfPerson(
  app: AppContext,
  seen: SeenPeople,
  key: string,
  lines: ReadonlyArray<{ person: string; nick: string }>,
): Promise<string> {
  if (key.startsWith("name:")) return key.slice(5);
  const spoke = lines.find((l) => l.person === key);
  if (spoke) return spoke.nick;
  for (const id of await app.identity.identitiesOf(key)) {
    const at = id.indexOf(":");
    const name = await seen.lastName({ account: id.slice(0, at), id: id.slice(at + 1) });
    if (name) return name;
  }
  return key.slice(key.indexOf(":") + 1);
}
