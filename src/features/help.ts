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
      ],
      permission: "anyone",
      async run(args: string, ctx) {
        const registry = ctx.app.commands;
        const name = args.trim();
        if (name) {
          const cmd = registry.get(name.replace(/^[!]/, "")) ?? registry.get(name);
          if (!cmd) throw new UserError(`no command "${name}"; ${registry.prefix}help lists them all`);
          return helpFor(cmd, registry.prefix);
        }
        return `commands: ${helpLines(registry.all, registry.prefix).join(" · ")}`;
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
