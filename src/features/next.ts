import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { nextAfter } from "../services/recurrence.js";
import { countdown } from "../services/templates.js";
import { localMarkers } from "../services/timezones.js";
import { formatInstant, formatWorld } from "../services/world-time.js";
import { pickedMeetings } from "./meetings/queries.js";
import { meetingSpec } from "../services/recurrence.js";

/** How far ahead `!next` looks for meetings picked in chat. */
const PICKED_AHEAD_MS = 5 * 366 * 86_400_000;

/** Upcoming occurrences of configured meetings and of meetings picked with `!meeting pick`, soonest first. */
export async function upcomingMeetings(ctx: CommandContext, count: number) {
  const now = ctx.now();
  const out: Array<{ title: string; at: number; place?: string }> = [];
  for (const m of ctx.app.config.meetings) {
    let t = now;
    for (let i = 0; i < count; i++) {
      const at = nextAfter(meetingSpec(m), t);
      if (at === undefined) break;
      out.push({ title: m.title, at, place: m.place });
      t = at;
    }
  }
  for (const p of await pickedMeetings(ctx.app.store, now + 1, now + PICKED_AHEAD_MS))
    out.push({ title: p.title, at: p.at, place: p.place });
  return out.sort((a, b) => a.at - b.at).slice(0, count);
}

export const nextFeature: Feature = {
  name: "next",
  commands: [
    {
      name: "next",
      summary: "the next meeting, in your zone and across the world",
      usage: "!next",
      examples: [{ input: "!next", expect: /no meetings are scheduled|starts/ }],
      permission: "anyone",
      async run(_args: string, ctx: CommandContext) {
        const [m] = await upcomingMeetings(ctx, 1);
        if (!m) return "no meetings are scheduled";
        const zone = await ctx.zone();
        const markers = ctx.capabilities.localTimeMarkers ? ` ${localMarkers(m.at)}` : "";
        return `${m.title} starts ${formatInstant(m.at, zone)} (${countdown(m.at, ctx.now())})${markers} — ${formatWorld(m.at, ctx.app.config.timezones.world)}${m.place ? ` — ${m.place}` : ""}`;
      },
    },
    {
      name: "meetings",
      summary: "the next few meetings",
      usage: "!meetings",
      examples: [{ input: "!meetings", expect: /no meetings are scheduled|·|\(in / }],
      permission: "anyone",
      async run(_args: string, ctx: CommandContext) {
        const list = await upcomingMeetings(ctx, 5);
        if (!list.length) return "no meetings are scheduled";
        const zone = await ctx.zone();
        return list
          .map(
            (m) =>
              `${m.title}: ${formatInstant(m.at, zone)} (${countdown(m.at, ctx.now())})${m.place ? ` in ${m.place}` : ""}`,
          )
          .join(" · ");
      },
    },
  ],
};
