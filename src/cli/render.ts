import type { Command } from "commander";
import { platforms } from "../adapters/index.js";
import { NO_CAPABILITIES } from "../core/adapter.js";
import { buildRelayMessage } from "../relay/render.js";
import { fail } from "./common.js";

interface RenderOpts {
  from: string;
  to: string;
  room?: string;
  sender: string;
  text?: string;
  html?: string;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const DEFAULT_ROOM: Record<string, string> = {
  irc: "#crier",
  matrix: "!room:example.org",
  discord: "100000000000000001",
  console: "console",
};

/** A dry run of the relay: one message in the source platform's markup → exactly what crier would send. */
export function registerRender(program: Command): void {
  program
    .command("render")
    .description("show what crier would send to one platform for a message written on another")
    .requiredOption("--from <platform>", "source platform: irc, matrix, discord, console")
    .requiredOption("--to <platform>", "target platform")
    .option("--room <room>", "target room (native id)")
    .option("--sender <name>", "who said it", "alice")
    .option("--text <text>", "message text in the source markup (default: stdin)")
    .option("--html <html>", "Matrix formatted_body (with --from matrix); - reads it from stdin")
    .option("--json", "one JSON object per payload")
    .action(async (opts: RenderOpts) => {
      try {
        const source = platforms[opts.from];
        const target = platforms[opts.to];
        if (!source || !target) throw new Error(`platforms are ${Object.keys(platforms).join(", ")}`);
        const [from, to] = [await source.load(), await target.load()];
        const html = opts.html === "-" ? await readStdin() : opts.html;
        const text = opts.text ?? (html ? undefined : await readStdin());
        const body = from.parse({ text, html });
        const message = buildRelayMessage({
          targetRoom: opts.room ?? DEFAULT_ROOM[opts.to] ?? "room",
          // Rendering does not depend on live capabilities beyond these defaults.
          targetCaps: { ...NO_CAPABILITIES, edit: true, delete: true, replies: true, reactions: true },
          sender: { account: opts.from, id: opts.sender, name: opts.sender },
          body,
          idempotencyKey: "render-preview",
        });
        for (const payload of to.render(message)) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ platform: opts.to, payload })}\n`);
          else process.stdout.write(`${typeof payload === "string" ? payload : JSON.stringify(payload, null, 2)}\n`);
        }
      } catch (err) {
        fail(err, 2);
      }
    });
}
