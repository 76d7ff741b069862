/**
 * Opt-in per room (`timezones.autoConvert`): a message that names a clear time with a zone ("meeting at 15:00 UTC")
 * gets one compact conversion. Never for times without a zone, at most once a minute per room, and only the start
 * of a message is read, so a wall of time expressions costs no more than one.
 */
import type { Feature } from "../core/context.js";
import { toPlain } from "../core/richtext.js";
import { uniqueZones, zonesLine } from "../services/timezones.js";
import { parseWhen } from "../services/when.js";

const SCAN_CHARS = 280;
const PER_ROOM_MS = 60_000;
/** Cheap gate before the parser: a clock time followed (soon) by something zone-like. */
const LOOKS_ZONED =
  /\b\d{1,2}(?::\d{2})?\s*(?:am|pm)?\s+(?:in\s+)?(?:UTC|GMT|[A-Z]{3,4}\b|[A-Z][a-z]+(?:[ /][A-Z][a-z_]+)?)/;

export function autoConvertFeature(): Feature {
  /** Last conversion per room, for this app. */
  const last = new Map<string, number>();
  return {
    name: "auto-convert",
    async onEvent(event, app) {
      if (event.kind !== "message" || event.fromSelf || event.backfill || event.notice) return;
      const roomKey = `${event.room.account}/${event.room.room}`;
      if (!app.config.timezones.autoConvert.includes(roomKey)) return;
      const text = toPlain(event.body).slice(0, SCAN_CHARS);
      if (text.startsWith(app.config.commands.prefix) || !LOOKS_ZONED.test(text)) return;
      const now = app.clock.now();
      if ((last.get(roomKey) ?? 0) > now - PER_ROOM_MS) return;
      let result: ReturnType<typeof parseWhen>;
      try {
        result = parseWhen(text, { zone: "UTC", now, forward: true });
      } catch {
        return;
      }
      if (!result.explicitZone) return;
      last.set(roomKey, now);
      const zones = uniqueZones([result.zone, ...app.config.timezones.world]).slice(0, 8);
      await app.notify(
        event.room,
        `${result.echo} → ${zonesLine(result.instant, zones)}`,
        `auto-convert:${roomKey}:${event.id}`,
      );
    },
  };
}
