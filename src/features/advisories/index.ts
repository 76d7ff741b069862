/** Security-advisory notices: each advisory once per room, the moment it is public. */
import type { CommandContext } from "../../core/commands.js";
import type { Feature } from "../../core/context.js";
import { UserError } from "../../core/errors.js";
import { countdown } from "../../services/templates.js";
import { advisoryMigrations, seenBy } from "./ledger.js";
import { AdvisoryWatcher } from "./watcher.js";

/** The feature; `watcher` (from `init` on) polls the sources, and tests drive it. */
export function advisoriesFeature(): Feature & { readonly watcher: AdvisoryWatcher } {
  let running: AdvisoryWatcher | undefined;
  const watcherOf = (): AdvisoryWatcher => {
    if (!running) throw new Error("the advisories feature is not initialised yet");
    return running;
  };
  return {
    name: "advisories",
    migrations: advisoryMigrations,
    get watcher() {
      return watcherOf();
    },
    async init(app) {
      running = new AdvisoryWatcher(app);
    },
    async start(app) {
      if (app.config.advisories.sources.length) watcherOf().start();
    },
    async stop() {
      await running?.stop();
    },
    commands: [
      {
        name: "advisories",
        summary: "advisory sources and their health; poll one now",
        usage: "!advisories | !advisories poll <source>",
        examples: [
          { input: "!advisories", expect: "no advisory sources", asAdmin: true },
          { input: "!advisories poll nosuch", expect: 'no advisory source "nosuch"', asAdmin: true },
        ],
        permission: "admin",
        async run(args: string, ctx: CommandContext) {
          const [verb, id] = args.trim().split(/\s+/);
          const watcher = watcherOf();
          if (verb === "poll") {
            if (!id || !ctx.app.config.advisories.sources.some((s) => s.id === id))
              throw new UserError(`no advisory source "${id ?? ""}"`);
            const n = await watcher.pollNow(id);
            return `polled ${id}: ${n} new notice${n === 1 ? "" : "s"}`;
          }
          if (verb) throw new UserError("Usage: !advisories | !advisories poll <source>");
          const rows = await watcher.status();
          if (!rows.length) return "no advisory sources are configured";
          const now = ctx.now();
          const lines: string[] = [];
          for (const r of rows) {
            const seen = await seenBy(ctx.app, r.id);
            const listed = seen.count
              ? ` — ${seen.count} advisor${seen.count === 1 ? "y" : "ies"} known: ${seen.ids.join(", ")}${seen.count > seen.ids.length ? ", …" : ""}`
              : "";
            const health = r.failures
              ? `, failing ×${r.failures}: ${r.error}`
              : r.problems.length
                ? `, ${r.problems.length} file${r.problems.length === 1 ? "" : "s"} skipped: ${r.problems.map((p) => `${p.file} (${p.reason})`).join(", ")}`
                : ", ok";
            lines.push(
              `${r.id} (${r.kind}): ${r.lastPoll ? `polled ${countdown(r.lastPoll, now)}` : "not polled yet"}${health}${listed}`,
            );
          }
          return lines.join(" · ");
        },
      },
    ],
  };
}
