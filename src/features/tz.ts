import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { UserError } from "../core/errors.js";
import { localLine, ownZone, setUserZone } from "../services/timezones.js";
import { resolveZoneName, suggestZones } from "../services/zone-names.js";
import { zoneName } from "../services/world-time.js";

type TzArgs = { verb: "show" } | { verb: "clear" } | { verb: "set"; zone: string };

export function parseTzArgs(args: string): TzArgs {
  const text = args.trim();
  if (!text) return { verb: "show" };
  const [verb, ...rest] = text.split(/\s+/);
  if (verb.toLowerCase() === "clear") return { verb: "clear" };
  if (verb.toLowerCase() === "set") {
    if (!rest.length) throw new UserError("which zone? e.g. !tz set Europe/Berlin, !tz set New York");
    return { verb: "set", zone: rest.join(" ") };
  }
  // `!tz Berlin` is read as `!tz set Berlin`.
  return { verb: "set", zone: text };
}

async function runTz(args: TzArgs, ctx: CommandContext): Promise<string> {
  const now = ctx.now();
  if (args.verb === "show") {
    const own = await ownZone(ctx.app, ctx.user);
    if (own) return `your zone is ${zoneName(own)}: now ${localLine(now, own)}`;
    const fallback = await ctx.zone();
    return `you have not set a zone; times are shown in ${fallback} (now ${localLine(now, fallback)}). Set yours with !tz set <zone or city>`;
  }
  if (args.verb === "clear") {
    await setUserZone(ctx.app, ctx.user, null);
    return `your zone is cleared; times are shown in ${await ctx.zone()}`;
  }
  const r = resolveZoneName(args.zone, now);
  if (!r) {
    const hints = suggestZones(args.zone, 5);
    throw new UserError(
      `"${args.zone.slice(0, 40)}" is not a zone or city I know${hints.length ? ` — did you mean ${hints.join(", ")}?` : ""}`,
    );
  }
  if (r.kind === "ambiguous") {
    const options = r.candidates.map((c) => `${zoneName(c.zone)} (${c.label}; now ${c.now})`).join("; ");
    return `${r.input} is ambiguous, so I did not set it. It can mean: ${options}. Say e.g. !tz set ${zoneName(r.candidates[0].zone)}`;
  }
  await setUserZone(ctx.app, ctx.user, r.zone);
  return `your zone is now ${zoneName(r.zone)}: ${localLine(now, r.zone)}${r.note ? ` — note: ${r.note}` : ""}`;
}

export const tzFeature: Feature = {
  name: "tz",
  commands: [
    {
      name: "tz",
      summary: "show, set or clear your time zone (one setting for all your linked accounts)",
      usage: "!tz [set <zone or city> | clear]",
      examples: [
        { input: "!tz set Europe/Berlin", expect: "your zone is now Europe/Berlin" },
        { input: "!tz set sao paulo", expect: "America/Sao_Paulo" },
        { input: "!tz set CST", expect: "CST is ambiguous" },
        { input: "!tz set UTC+2", expect: "never changes for daylight saving" },
        { input: "!tz set Atlantis", expect: "not a zone or city I know" },
      ],
      permission: "anyone",
      privateReply: true,
      options: [{ name: "args", description: "set <zone or city> | clear", type: "string", autocomplete: "zone" }],
      parse: parseTzArgs,
      run: runTz,
    },
  ],
};
