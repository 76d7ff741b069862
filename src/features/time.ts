import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { UserError } from "../core/errors.js";
import { localLine, localMarkers, uniqueZones, userZone, zonesLine } from "../services/timezones.js";
import { parseWhen, type WhenResult } from "../services/when.js";
import { resolveZoneName } from "../services/zone-names.js";
import { zoneName } from "../services/world-time.js";
import type { SeenPeople } from "./seen.js";

export interface TimeQuery {
  /** What to read as a time; empty = now. */
  when: string;
  /** Zones listed after " in ", when the time itself names its zone. */
  targets?: string[];
  /** `@nick`: that person's local time now. */
  person?: string;
}

/** Zones after the last " in " — only when every part is a zone or city ("in Berlin, London, New York"). */
function trailingZones(text: string): { head: string; zones: string[] } | undefined {
  const m = /^(.*\S)\s+in\s+(\S[\s\S]*)$/i.exec(text);
  if (!m) return undefined;
  const parts = m[2].split(/\s*,\s*|\s+and\s+/i).filter(Boolean);
  if (!parts.length || parts.length > 12) return undefined;
  const zones: string[] = [];
  for (const p of parts) {
    const r = resolveZoneName(p);
    if (r?.kind !== "zone") return undefined;
    zones.push(r.zone);
  }
  return { head: m[1], zones };
}

export function parseTimeQuery(args: string): TimeQuery {
  const text = args.trim();
  if (text.length > 300) throw new UserError("that is too long to read as a time");
  if (/^@\S+$/.test(text)) return { when: "", person: text.slice(1) };
  return { when: text };
}

async function answerTime(seen: SeenPeople, q: TimeQuery, ctx: CommandContext): Promise<string> {
  const now = ctx.now();
  const mine = await ctx.zone();
  const world = ctx.app.config.timezones.world;
  if (q.person) {
    const [who] = await seen.find(q.person, ctx.room.account);
    if (!who) throw new UserError(`I have not seen anyone called ${q.person.slice(0, 40)}`);
    const zone = await userZone(ctx.app, who);
    return `it is ${localLine(now, zone, true)} for ${who.name} (${zoneName(zone)})`;
  }
  let result: WhenResult;
  let targets: string[];
  if (!q.when) {
    result = { instant: now, zone: mine, explicitZone: false, echo: "now", notes: [], rest: "" };
    targets = uniqueZones([mine, ...world]);
  } else {
    const split = trailingZones(q.when);
    const read = (text: string) => parseWhen(text, { zone: mine, now, forward: false });
    const head = split ? read(split.head) : undefined;
    if (split && head?.explicitZone) {
      result = head;
      targets = split.zones;
    } else {
      result = read(q.when);
      targets = uniqueZones([result.zone, mine, ...world]);
    }
  }
  const markers = ctx.capabilities.localTimeMarkers ? ` · ${localMarkers(result.instant)}` : "";
  const notes = result.notes.length ? ` (${result.notes.join("; ")})` : "";
  return `${result.echo} → ${zonesLine(result.instant, targets)}${markers}${notes}`;
}

/** Needs the seen feature for `!time @nick`. */
export const timeFeature = (seen: SeenPeople): Feature => ({
  name: "time",
  commands: [
    {
      name: "time",
      aliases: ["t"],
      summary: "convert a time into your zone and across the world",
      usage: "!time [when] [in zone, zone…] | !time @nick",
      examples: [
        {
          input: "!time 2015-02-11 15:00 UTC in Berlin, London, New York",
          expect: "Wed 11 Feb 2015 15:00 UTC → 16:00 Berlin (CET) · 15:00 London (GMT) · 10:00 New York (EST)",
        },
        { input: "!time 2026-03-29 02:30 Europe/Berlin", expect: "does not exist" },
        { input: "!time 2026-11-01 01:30 America/New_York", expect: "happens twice" },
        { input: "!time 2026-07-01 3pm PST", expect: "PST read as US Pacific (standard)" },
        { input: "!time 1960-01-01 10:00 UTC", expect: "out of range" },
      ],
      permission: "anyone",
      options: [
        { name: "args", description: "a time like 15:00 UTC, 3pm Berlin, tomorrow 9:30 in Tokyo", type: "string" },
      ],
      parse: parseTimeQuery,
      run: (q: TimeQuery, ctx: CommandContext) => answerTime(seen, q, ctx),
    },
  ],
});
