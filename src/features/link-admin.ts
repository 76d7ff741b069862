import { type CommandContext, splitArgs, usageError } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { UserError } from "../core/errors.js";
import { linksOf } from "../relay/links.js";
import type { LinkControl } from "./relay.js";

type LinkArgs = { verb: "list" } | { verb: "pause" | "resume"; name: string };

/** A link may be paused by a configured admin, or by an admin of one of its own rooms. */
async function mayAdminister(ctx: CommandContext, linkName: string): Promise<boolean> {
  if (await ctx.app.isAdmin(ctx.user)) return true;
  const inLink = linksOf(ctx.app.config.links, ctx.room).some((l) => l.name === linkName);
  return inLink && (await ctx.isAdmin());
}

const linkCommand = {
  name: "link",
  summary: "list linked rooms, or pause/resume a link",
  usage: "!link list | !link pause <name> | !link resume <name>",
  examples: [
    { input: "!link list", expect: "no links", asAdmin: true },
    { input: "!link pause nosuch", expect: 'no link named "nosuch"', asAdmin: true },
  ],
  permission: "admin" as const,
  parse(args: string) {
    const [verb = "list", name] = splitArgs(args);
    if (verb === "list") return { verb } as const;
    if ((verb === "pause" || verb === "resume") && name) return { verb, name } as const;
    throw usageError(linkCommand);
  },
};

async function runLink(relay: LinkControl, args: LinkArgs, ctx: CommandContext): Promise<string> {
  {
    const { links } = ctx.app.config;
    if (args.verb === "list") {
      if (!links.length) return "no links are configured";
      return links
        .map(
          (l) =>
            `${l.name}${l.paused || relay.isPaused(l.name) ? " (paused)" : ""}: ${l.rooms.map((r) => `${r.account}/${r.room}${r.direction === "inout" ? "" : ` [${r.direction}]`}`).join(", ")}`,
        )
        .join(" · ");
    }
    if (!links.some((l) => l.name === args.name)) throw new UserError(`no link named "${args.name}"`);
    if (!(await mayAdminister(ctx, args.name))) throw new UserError(`you may not change link "${args.name}" from here`);
    await relay.setPaused(args.name, args.verb === "pause");
    return `link ${args.name} ${args.verb === "pause" ? "paused" : "resumed"}`;
  }
}

const outboxCommand = {
  name: "outbox",
  summary: "show delivery queues: pending, parked, oldest waiting",
  usage: "!outbox",
  examples: [{ input: "!outbox", expect: /console|empty/, asAdmin: true }],
  permission: "admin" as const,
};

/** Queues per room, with what the flood policy folded there since crier started. */
async function runOutbox(relay: LinkControl, ctx: CommandContext): Promise<string> {
  const rows = await ctx.app.outbox.roomDepths();
  const folded = relay.folded();
  const now = ctx.now();
  const shown = rows.slice(0, 20).map((r) => {
    const age = r.oldest ? ` (oldest ${Math.round((now - Number(r.oldest)) / 1000)}s)` : "";
    const f = folded.get(`${r.account}/${r.room}`);
    return `${r.account} ${r.room}: ${r.pending} pending${age}, ${r.parked} parked${f ? `, ${f} folded` : ""}`;
  });
  if (rows.length > 20) shown.push(`… and ${rows.length - 20} more rooms`);
  const listed = new Set(rows.map((r) => `${r.account}/${r.room}`));
  for (const [room, n] of folded) if (!listed.has(room) && shown.length < 25) shown.push(`${room}: ${n} folded`);
  return shown.length ? shown.join(" · ") : "outbox is empty";
}

/** Needs the relay feature: pausing a link is the relay's state. */
export const linkAdminFeature = (relay: LinkControl): Feature => ({
  name: "link-admin",
  commands: [
    { ...linkCommand, run: (args: LinkArgs, ctx: CommandContext) => runLink(relay, args, ctx) },
    { ...outboxCommand, run: (_args: string, ctx: CommandContext) => runOutbox(relay, ctx) },
  ],
});
