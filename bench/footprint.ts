/**
 * What a crier process costs and how soon it is useful, measured from outside (bench/_process.ts):
 * - console only, on config/example.yaml: idle RSS and process start → "crier started", for the compiled build
 *   (dist/, built here when missing or stale) and for the sources through tsx, interleaved;
 * - IRC + Matrix connected to the test servers (InspIRCd, Synapse with its default 30 s /sync long poll): start →
 *   "crier started", start → ready (both accounts connected in /healthz), start → first relay (a line said on IRC
 *   as soon as crier's nick joins, seen in the Matrix room), on a first start and on a restart from a saved sync
 *   position (the quiet-room case); idle RSS; RSS and peak after BENCH_FOOTPRINT_LINES (default 10,000; quick
 *   2,000) lines relayed.
 * heisenbridge 1.15.4 (bench/_heisenbridge.ts) runs beside it on its own servers (BENCH_FOOTPRINT_PEER=0 skips it):
 * idle RSS with IRC + Matrix, RSS after the same lines, and on a restart start → running and start → first relay.
 * BENCH_FOOTPRINT_RUNS (default 3) repeats the console figures; BENCH_FOOTPRINT_CONNECTED (default
 * "compiled,compiled discord,compiled --lite-mode") names the runs against the servers — a runtime, node flags, and
 * "discord" for the fake Discord as a third platform in the link; empty skips them. Figures only: nothing here
 * fails on a timing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { MatrixFollower } from "../test/e2e/three/tally.js";
import { FakeDiscord } from "../test/fake-discord/index.js";
import { startInspIRCd } from "../test/testbed/inspircd.js";
import { RawIrcClient } from "../test/testbed/irc-client.js";
import { freePort } from "../test/testbed/ports.js";
import { startSynapse } from "../test/testbed/synapse.js";
import { bridgeChannel, ensureHeisenbridge, HEISENBRIDGE_VERSION, Heisenbridge } from "./_heisenbridge.js";
import { CrierProcess, ensureCompiled, type Figure, figure, ROOT, type Runtime, sleep } from "./_process.js";

const IDLE_MS = 5_000;
const CHANNEL = "#bench";

async function consoleOnly(runtime: Runtime, out: Figure[]): Promise<void> {
  const crier = new CrierProcess(join(ROOT, "config/example.yaml"), mkdtempSync(join(tmpdir(), "crier-fp-")), runtime);
  try {
    out.push(figure(`console only, ${runtime}: start → "crier started"`, await crier.started, "ms"));
    await sleep(IDLE_MS);
    const m = crier.memory();
    out.push(figure(`console only, ${runtime}: idle RSS`, m.rss, "MiB"));
    out.push(figure(`console only, ${runtime}: peak RSS`, m.peak, "MiB"));
  } finally {
    await crier.stop();
  }
}

const joinsOf = (c: RawIrcClient, nick: string) =>
  c.lines.filter((l) => new RegExp(`^(@\\S+ )?:${nick}!\\S+ JOIN `).test(l)).length;
const crierJoins = (c: RawIrcClient) => joinsOf(c, "crier");

/** Says `lines` lines on IRC in bursts of 100 and waits until the last is in the Matrix room. */
async function relayLines(ivan: RawIrcClient, follower: MatrixFollower, lines: number, prefix: string) {
  const last = `${prefix}-${lines - 1}`;
  for (let i = 0; i < lines; i++) {
    ivan.say(CHANNEL, `${prefix}-${i}`);
    if (i % 100 === 99) await sleep(100);
  }
  return until(
    `line ${lines} in Matrix`,
    async () =>
      (await follower.poll()).some((e) =>
        String(e.content.body)
          .split("\n")
          .some((l) => l.endsWith(last)),
      )
        ? true
        : undefined,
    600_000,
  );
}

/** heisenbridge beside crier: the same servers, the same channel, the same figures where the work is the same. */
async function peer(lines: number, out: Figure[]): Promise<void> {
  ensureHeisenbridge();
  const hb = new Heisenbridge();
  await hb.generate();
  const [irc, synapse] = await Promise.all([
    startInspIRCd(),
    startSynapse({ appServiceConfigFiles: [hb.registration] }),
  ]);
  const ivan = new RawIrcClient("ivan", irc.port);
  const tag = `IRC+Matrix, heisenbridge ${HEISENBRIDGE_VERSION}`;
  try {
    const mara = await synapse.register("mara");
    await ivan.connect();
    await ivan.join(CHANNEL);
    hb.start(synapse.url, mara.userId);
    const room = await bridgeChannel(mara, irc.port, CHANNEL, "hb");
    if (!room) {
      process.stderr.write(`footprint: heisenbridge never bridged ${CHANNEL}:\n${hb.output().slice(-2000)}\n`);
      return;
    }
    await sleep(IDLE_MS);
    out.push(figure(`${tag}, first start: idle RSS`, hb.memory().rss, "MiB"));
    const follower = new MatrixFollower(mara, room);
    await follower.start();
    await relayLines(ivan, follower, lines, "bulk");
    await sleep(IDLE_MS);
    const m = hb.memory();
    out.push(figure(`${tag}, first start: RSS after ${lines} lines relayed`, m.rss, "MiB"));
    out.push(figure(`${tag}, first start: peak RSS`, m.peak, "MiB"));
    await hb.stop();
    // A restart: heisenbridge reconnects its network and rejoins the channel by itself.
    const joinsBefore = joinsOf(ivan, "hb");
    const t0 = Date.now();
    hb.start(synapse.url, mara.userId);
    const started = until('heisenbridge\'s "bridge is now running"', () =>
      hb.output().includes("bridge is now running") ? Date.now() - t0 : undefined,
    );
    await until("heisenbridge's JOIN on IRC", () => (joinsOf(ivan, "hb") > joinsBefore ? true : undefined));
    ivan.say(CHANNEL, "first-hb");
    const relayed = until("the first relayed line in Matrix", async () => {
      const hit = (await follower.poll()).find((e) => String(e.content.body).includes("first-hb"));
      return hit ? (hit as unknown as { origin_server_ts: number }).origin_server_ts - t0 : undefined;
    });
    out.push(figure(`${tag}, restart: start → "bridge is now running"`, await started, "ms"));
    out.push(figure(`${tag}, restart: start → first line relayed IRC → Matrix`, await relayed, "ms"));
  } finally {
    await hb.stop();
    ivan.close();
    await Promise.all([irc.stop(), synapse.stop()]);
  }
}

/** Polls until `probe` gives a value; undefined after `ms` (the figure is then reported as missing, never a failure). */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) {
      process.stderr.write(`footprint: no ${what} within ${ms / 1000} s\n`);
      return undefined;
    }
    await sleep(50);
  }
}

/** One way of running crier against the servers: its runtime, node flags, and whether Discord (the fake) is in. */
interface Variant {
  runtime: Runtime;
  flags: string[];
  discord: boolean;
}

/** "compiled", "compiled discord", "tsx --lite-mode": the runtime, then flags, "discord" for three platforms. */
const variantOf = (spec: string): Variant => {
  const [runtime, ...rest] = spec.trim().split(/\s+/);
  return { runtime: runtime as Runtime, flags: rest.filter((w) => w !== "discord"), discord: rest.includes("discord") };
};

async function connected({ runtime, flags, discord: withDiscord }: Variant, lines: number, out: Figure[]) {
  const discord = withDiscord ? new FakeDiscord() : undefined;
  const [irc, synapse] = await Promise.all([startInspIRCd(), startSynapse(), discord?.start()]);
  const ivan = new RawIrcClient("ivan", irc.port);
  try {
    const bot = await synapse.register("crier");
    const mara = await synapse.register("mara");
    const room = await mara.createRoom({ invite: [bot.userId], name: "bench" });
    await ivan.connect();
    await ivan.join(CHANNEL);
    const stateDir = mkdtempSync(join(tmpdir(), "crier-fp-"));
    const port = await freePort();
    const file = join(stateDir, "crier.yaml");
    const channelId = discord?.world.addChannel("bench");
    const discordAccount = discord && {
      "discord.dc": { token: discord.token, api: discord.api, guild: discord.world.guildId, channels: [channelId] },
    };
    writeFileSync(
      file,
      stringify({
        accounts: {
          "irc.net": { host: "127.0.0.1", port: irc.port, tls: false, nick: "crier", channels: [CHANNEL] },
          "matrix.hs": { homeserver: synapse.url, accessToken: bot.token, rooms: [room] },
          ...discordAccount,
        },
        links: [
          {
            name: "bench",
            // Every line counts here: no folding of a flood into one line per sender.
            floodBacklog: "off",
            rooms: [
              { account: "irc.net", room: CHANNEL },
              { account: "matrix.hs", room },
              ...(channelId ? [{ account: "discord.dc", room: channelId }] : []),
            ],
          },
        ],
        http: { enabled: true, host: "127.0.0.1", port },
        log: { level: "info" },
      }),
    );
    for (const start of ["first start", "restart"]) {
      const follower = new MatrixFollower(mara, room);
      await follower.start();
      const joinsBefore = crierJoins(ivan);
      const t0 = Date.now();
      const crier = new CrierProcess(file, stateDir, runtime, flags);
      const tag = `IRC+Matrix${discord ? "+Discord" : ""}, ${[runtime, ...flags].join(" ")}, ${start}`;
      // On a restart, said in Matrix as crier starts: its first /sync (a long poll from the saved position) has it.
      // (A first start learns only the position from its initial /sync, by design: that history was not missed.)
      const fromMatrix =
        start === "restart"
          ? mara
              .sendText(room, "mfirst-1")
              .then(() =>
                until("the Matrix line on IRC", () =>
                  ivan.lines.some((l) => / PRIVMSG #bench :.*mfirst-1/.test(l)) ? Date.now() - t0 : undefined,
                ),
              )
          : undefined;
      try {
        // Said on IRC the moment crier's nick is in the channel: the first line crier can possibly relay.
        const said = until("crier's JOIN on IRC", () => (crierJoins(ivan) > joinsBefore ? true : undefined)).then(() =>
          ivan.say(CHANNEL, `first-${start.length}`),
        );
        const ready = until("both accounts connected in /healthz", async () => {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          const body = r?.ok ? ((await r.json()) as { accounts: { state: string }[] }) : undefined;
          return body?.accounts.every((a) => a.state === "connected") ? Date.now() - t0 : undefined;
        });
        const relayed = until("the first relayed line in Matrix", async () => {
          const hit = (await follower.poll()).find((e) => String(e.content.body).includes(`first-${start.length}`));
          return hit ? (hit as unknown as { origin_server_ts: number }).origin_server_ts - t0 : undefined;
        });
        out.push(figure(`${tag}: start → "crier started"`, await crier.started, "ms"));
        out.push(figure(`${tag}: start → ready (every account connected)`, await ready, "ms"));
        await said;
        out.push(figure(`${tag}: start → first line relayed IRC → Matrix`, await relayed, "ms"));
        if (fromMatrix)
          out.push(figure(`${tag}: start → line said in Matrix at start relayed to IRC`, await fromMatrix, "ms"));
        if (start === "first start") {
          await sleep(IDLE_MS);
          out.push(figure(`${tag}: idle RSS`, crier.memory().rss, "MiB", { goal: discord ? "—" : "≤ 80" }));
          await relayLines(ivan, follower, lines, "bulk");
          await sleep(IDLE_MS);
          const m = crier.memory();
          out.push(figure(`${tag}: RSS after ${lines} lines relayed`, m.rss, "MiB", { goal: "≤ 100, flat" }));
          out.push(figure(`${tag}: peak RSS`, m.peak, "MiB"));
        }
      } finally {
        await crier.stop();
      }
    }
  } finally {
    ivan.close();
    await Promise.all([irc.stop(), synapse.stop(), discord?.stop()]);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  ensureCompiled();
  const runs = Number(process.env.BENCH_FOOTPRINT_RUNS ?? 3);
  const lines = Number(process.env.BENCH_FOOTPRINT_LINES ?? (process.env.BENCH_QUICK === "1" ? 2000 : 10_000));
  const figures: Figure[] = [];
  for (let i = 0; i < runs; i++)
    for (const runtime of ["compiled", "tsx"] as const) await consoleOnly(runtime, figures);
  const variants = (process.env.BENCH_FOOTPRINT_CONNECTED ?? "compiled,compiled discord,compiled --lite-mode")
    .split(",")
    .filter((s) => s.trim())
    .map(variantOf);
  for (const v of variants) await connected(v, lines, figures);
  if (process.env.BENCH_FOOTPRINT_PEER !== "0") await peer(lines, figures);
  return { figures };
}
