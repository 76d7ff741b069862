/**
 * Hostile input (issue #15): the cost of handling one 64 KB Matrix event of nested tags of every kind (parse, then
 * rendered for IRC, Matrix and Discord, as a relay does; goal < 20 ms), of parsing `<b>` nested 1,000 / 5,000 /
 * 20,000 deep, and of `crier render --from matrix --to irc --html …` with 20,000 nested tags (goal < 1 s).
 * Figures are medians of several runs, in wall-clock ms and in CPU ms of this process.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDiscordMessage } from "../src/adapters/discord/render.js";
import { renderIrcMessage } from "../src/adapters/irc/render.js";
import { parseMatrixHtml } from "../src/adapters/matrix/html-parse.js";
import { parseContent } from "../src/adapters/matrix/inbound.js";
import { renderMatrixContents } from "../src/adapters/matrix/render.js";
import { buildRelayMessage } from "../src/relay/render.js";
import { deepHtml, nestedHtml } from "../test/fuzz/hostile-html.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_HOSTILE_RUNS ?? 15);
const CAPS = {
  edit: true,
  delete: true,
  replies: true,
  reactions: true,
  impersonate: true,
  threads: false,
  localTimeMarkers: false,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

/** Wall and CPU time of `f`, median of RUNS after one warm-up. */
function measure(f: () => unknown): { ms: number; cpuMs: number } {
  f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { ms: round(median(wall)), cpuMs: round(median(cpu)) };
}

/** What crier does with one inbound Matrix event that is relayed to IRC, Matrix and Discord. */
function handleEvent(html: string): void {
  const body = parseContent({ format: "org.matrix.custom.html", formatted_body: html, body: "x" }, "matrix.m", false);
  const msg = buildRelayMessage({
    targetRoom: "#c",
    targetCaps: CAPS,
    sender: { account: "matrix.m", id: "@mallory:example.org", name: "mallory" },
    body,
    idempotencyKey: "bench",
  });
  renderIrcMessage(msg, { nick: "crier", replyAs: "notice", formatting: "irc", maxLines: 5 });
  renderMatrixContents(msg, { senderTemplate: "<strong>{name}</strong>: " });
  renderDiscordMessage(msg, { webhook: true });
}

function cli(args: string[], input?: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, "bin/crier.js"), ...args], { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`crier ${args[0]} failed: ${r.stderr}`);
  return performance.now() - t;
}

export async function run(): Promise<Record<string, unknown>> {
  const event = nestedHtml(64_000);
  const out: Record<string, unknown> = {
    event: { bytes: event.html.length, levels: event.depth },
    handleEvent64k: measure(() => handleEvent(event.html)),
    handleEvent64kUnclosed: measure(() => handleEvent(nestedHtml(64_000, { closed: false }).html)),
    handleEvent64kWide: measure(() => handleEvent("<b>x</b><br>".repeat(5300))),
  };
  for (const depth of [1000, 5000, 20_000]) {
    const html = deepHtml(depth, ["<b>", "</b>"]);
    out[`parseBold${depth}`] = measure(() => parseMatrixHtml(html));
  }
  // 20,000 unclosed tags fit one command-line argument (60 KB); closed ones (140 KB) go through stdin.
  const open = "<b>".repeat(20_000);
  const render = ["render", "--from", "matrix", "--to", "irc"];
  const cliRuns = [0, 1, 2].map(() => cli([...render, "--html", `${open}deep`]));
  const stdinRuns = [0, 1, 2].map(() => cli([...render, "--html", "-"], deepHtml(20_000, ["<b>", "</b>"])));
  const baseline = [0, 1, 2].map(() => cli(["render", "--from", "matrix", "--to", "irc", "--html", "<b>hi</b>"]));
  out.cliRender20000Ms = round(median(cliRuns));
  out.cliRender20000StdinMs = round(median(stdinRuns));
  out.cliRenderTrivialMs = round(median(baseline));
  return out;
}
