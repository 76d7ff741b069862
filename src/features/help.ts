import { helpFor, helpLines } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { UserError } from "../core/errors.js";

export const helpFeature: Feature = {
  name: "help",
  commands: [
    {
      name: "help",
      aliases: ["commands"],
      summary: "list commands, or explain one",
      usage: "!help [command]",
      examples: [
        { input: "!help", expect: "!ping" },
        { input: "!help ping", expect: "Usage: !ping" },
        { input: "!help startmeeting", expect: "Usage: #startmeeting" },
      ],
      permission: "anyone",
      async run(args: string, ctx) {
        const registry = ctx.app.commands;
        const name = args.trim();
        if (name) {
          // `!help startmeeting` and `!help #startmeeting` both find the MeetBot-style command.
          const cmd =
            registry.get(name.replace(/^[!]/, "")) ?? registry.get(name) ?? registry.get(`#${name.replace(/^#/, "")}`);
          if (!cmd) throw new UserError(`no command "${name}"; ${registry.prefix}help lists them all`);
          return helpFor(cmd, registry.prefix);
        }
        const meetbot = registry.all.filter((c) => c.prefix === "#").map((c) => `#${c.name}`);
        return `commands: ${helpLines(registry.all, registry.prefix).join(" · ")}${meetbot.length ? ` · during a meeting: ${meetbot.join(" ")} (${registry.prefix}help startmeeting explains one)` : ""}`;
      },
    },
    {
      name: "ping",
      summary: "check that crier is alive",
      usage: "!ping",
      examples: [{ input: "!ping", expect: "pong" }],
      permission: "anyone",
      async run() {
        return "pong";
      },
    },
  ],
};
