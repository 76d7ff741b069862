import type { AppContext } from "../core/context.js";
import type { RoomRef, UserRef } from "../core/model.js";
import { isValidZone } from "../core/zone.js";

/** The zone a person's times are shown in: theirs → the room's default → the config default → UTC. */
export async function resolveZone(
  app: AppContext,
  user: Pick<UserRef, "account" | "id">,
  room?: RoomRef,
): Promise<string> {
  const person = await app.identity.personId(user);
  const own = await app.identity.getPref(person, "zone");
  if (own && isValidZone(own)) return own;
  const roomZone = room ? app.config.timezones.rooms[`${room.account}/${room.room}`] : undefined;
  if (roomZone) return roomZone;
  return app.config.timezones.default || "UTC";
}
