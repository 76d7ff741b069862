/**
 * "Say what was missed": when an adapter reports that back-fill could not reach back to the last message crier saw
 * (a HistoryGapEvent), the other rooms of the room's links are told once — "some messages said on IRC in #devel
 * between 14:02 and 14:09 UTC could not be recovered" — and so is the log. Once: the notice's idempotency key is
 * the gap itself, so a second report of the same gap (a reconnect, a restart) sends nothing more.
 */
import { DateTime } from "luxon";
import type { Feature } from "../core/context.js";
import type { HistoryGapEvent } from "../core/model.js";
import { routesFrom } from "../relay/links.js";

function span(e: HistoryGapEvent): string {
  const to = DateTime.fromJSDate(e.to, { zone: "UTC" });
  if (!e.from) return `before ${to.toFormat("yyyy-LL-dd HH:mm")} UTC`;
  const from = DateTime.fromJSDate(e.from, { zone: "UTC" });
  const sameDay = from.hasSame(to, "day");
  return `between ${from.toFormat(sameDay ? "HH:mm" : "yyyy-LL-dd HH:mm")} and ${to.toFormat(sameDay ? "HH:mm" : "yyyy-LL-dd HH:mm")} UTC${sameDay ? ` (${to.toFormat("yyyy-LL-dd")})` : ""}`;
}

export function missedText(e: HistoryGapEvent, roomName: string): string {
  return `some messages said on ${e.network} in ${roomName} ${span(e)} could not be recovered`;
}

export const missedFeature: Feature = {
  name: "missed",
  async onEvent(event, app) {
    if (event.kind !== "gap") return;
    const text = missedText(event, (event.roomName ?? event.room.room).slice(0, 100));
    app.log.warn(
      { room: event.room, from: event.from?.toISOString(), to: event.to.toISOString() },
      `back-fill could not reach back: ${text}`,
    );
    const routes = routesFrom(app.config.links, event.room, new Set());
    const gapKey = `${event.room.account}/${event.room.room}/${event.from?.getTime() ?? ""}-${event.to.getTime()}`;
    for (const { target } of routes)
      await app.notify(target, text, `missed:${gapKey}->${target.account}/${target.room}`);
  },
};
