/**
 * One announcement to many rooms over the three platforms at realistic limits (issue 24 item 3): a `schedules:`
 * entry due at a known second (`at`, UTC) targets BENCH_FANOUT_IRC IRC channels (default 60), BENCH_FANOUT_MATRIX
 * Matrix rooms (default 120) and BENCH_FANOUT_DISCORD Discord channels (default 120): 300 rooms. crier runs as a
 * process (compiled) with its shipped IRC pacing (a burst of 4, then a line a second), its Matrix account an
 * application service on a Synapse keeping its shipped message limit (burst 10, then 0.2/s; ghosts and the
 * appservice's own user are exempt as `rate_limited: false`), and the fake Discord's limits (50 requests a second
 * per route, answered 429 beyond). Figures: from the due second to the last copy, per platform and in all, against
 * the least the limits allow; copies missing; crier's Matrix 429s (/metrics); the fake Discord's 429 answers;
 * crier's IRC connection kicked or closed. The test InspIRCd lifts its own flood limits (the tests need that), so
 * a kick would come only from crier itself going wrong; crier's pacing is well under InspIRCd's defaults.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { appserviceSchema } from "../src/adapters/matrix/config.js";
import { buildRegistration, loadOrCreateTokens, writeRegistration } from "../src/adapters/matrix/registration.js";
import { FakeDiscord } from "../test/fake-discord/index.js";
import { startInspIRCd } from "../test/testbed/inspircd.js";
import { RawIrcClient } from "../test/testbed/irc-client.js";
import { freePort } from "../test/testbed/ports.js";
import { MatrixTestUser } from "../test/testbed/synapse-client.js";
import { startSynapse } from "../test/testbed/synapse.js";
import { Collector, MatrixSyncWatcher } from "./_observe.js";
import { CrierProcess, ensureCompiled, type Figure, figure, missing, sleep } from "./_process.js";

const TEXT = "Release 2.0 is out: zq9x0";
const IRC_BURST = 4;
const IRC_INTERVAL_MS = 1000;
const DISCORD_PER_SECOND = 50;

export async function run(): Promise<{ figures: Figure[] }> {
  ensureCompiled();
  const n = {
    irc: Number(process.env.BENCH_FANOUT_IRC ?? 60),
    matrix: Number(process.env.BENCH_FANOUT_MATRIX ?? 120),
    discord: Number(process.env.BENCH_FANOUT_DISCORD ?? 120),
  };
  const dir = mkdtempSync(join(tmpdir(), "crier-fanout-"));
  const asPort = await freePort();
  const registration = join(dir, "registration.yaml");
  const as = appserviceSchema.parse({ serverName: "localhost", port: asPort, registration });
  const tokens = loadOrCreateTokens(dir, "matrix.hs").tokens;
  writeRegistration(registration, buildRegistration(as, tokens));
  const discord = new FakeDiscord();
  const [irc, synapse] = await Promise.all([
    startInspIRCd(),
    startSynapse({ appServiceConfigFiles: [registration], realistic: { perSecond: 0.2, burst: 10 } }),
    discord.start(),
  ]);
  let discord429 = 0;
  // The fake's limiter, counted from outside: every answer it turns into a 429.
  const rest = discord.rest as unknown as { rateLimit: (...a: unknown[]) => unknown };
  const limit = rest.rateLimit.bind(rest);
  rest.rateLimit = (...a: unknown[]) => {
    const r = limit(...a);
    if (r) discord429++;
    return r;
  };
  const figures: Figure[] = [];
  let crier: CrierProcess | undefined;
  const wes = new RawIrcClient("wes", irc.port);
  let watcher: MatrixSyncWatcher | undefined;
  try {
    const bot = new MatrixTestUser(synapse.url, "@crier:localhost", tokens.as_token, "");
    await bot.request("POST", "/_matrix/client/v3/register", {
      type: "m.login.application_service",
      username: "crier",
    });
    // mara sets the rooms up, so her own limit is lifted (Synapse's admin API); crier's stays as shipped.
    const mara = await synapse.register("mara", { admin: true });
    await mara.request("POST", `/_synapse/admin/v1/users/${encodeURIComponent(mara.userId)}/override_ratelimit`, {
      messages_per_second: 0,
      burst_count: 0,
    });
    const rooms: string[] = [];
    for (let i = 0; i < n.matrix; i++) rooms.push(await mara.createRoom({ invite: [bot.userId], name: `m${i}` }));
    const channels = Array.from({ length: n.irc }, (_, i) => `#a${i}`);
    await wes.connect();
    for (const c of channels) await wes.join(c);
    const discordChannels = Array.from({ length: n.discord }, (_, i) => discord.world.addChannel(`d${i}`));
    watcher = new MatrixSyncWatcher(mara);
    await watcher.start();
    const byRoom = rooms.map((r) => watcher!.collect(new Collector(9, r, (s) => s === bot.userId)));
    // Due once crier can have joined every channel at its pacing, with a margin; a whole second, in UTC.
    const joinSeconds = Math.max(0, n.irc - IRC_BURST) * (IRC_INTERVAL_MS / 1000);
    const due = Math.ceil((Date.now() + (joinSeconds + 30) * 1000) / 1000) * 1000;
    const port = await freePort();
    const file = join(dir, "crier.yaml");
    writeFileSync(
      file,
      stringify({
        accounts: {
          "irc.net": { host: "127.0.0.1", port: irc.port, tls: false, nick: "crier", channels },
          "matrix.hs": {
            mode: "appservice",
            homeserver: synapse.url,
            rooms,
            appservice: { serverName: "localhost", port: asPort, registration },
          },
          "discord.dc": {
            token: discord.token,
            api: discord.api,
            guild: discord.world.guildId,
            channels: discordChannels,
          },
        },
        schedules: [
          {
            id: "fanout",
            at: new Date(due).toISOString().slice(0, 19),
            zone: "UTC",
            text: TEXT,
            to: [
              ...channels.map((c) => `irc.net/${c}`),
              ...rooms.map((r) => `matrix.hs/${r}`),
              ...discordChannels.map((c) => `discord.dc/${c}`),
            ],
          },
        ],
        http: { enabled: true, host: "127.0.0.1", port },
        log: { level: "info" },
      }),
    );
    const spawned = Date.now();
    crier = new CrierProcess(file, dir, "compiled");
    await crier.started;
    let readyAt: number | undefined;
    const total = n.irc + n.matrix + n.discord;
    const ircAt = new Map<string, number>();
    const discordAt = new Map<string, number>();
    // Patience: twice the least the limits allow, and a minute.
    const end = due + 2 * Math.max(Math.max(0, n.irc - IRC_BURST) * IRC_INTERVAL_MS, 1000) + 60_000;
    for (;;) {
      if (readyAt === undefined) {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        const h = r?.ok ? ((await r.json()) as { accounts: { state: string }[] }) : undefined;
        if (h?.accounts.every((a) => a.state === "connected")) readyAt = Date.now();
      }
      for (const l of wes.lines) {
        const m = /^@(\S+) :crier_?!\S+ (?:PRIVMSG|NOTICE) (#\S+) :.*zq9x0/.exec(l);
        if (!m || ircAt.has(m[2])) continue;
        const time = /(?:^|;)time=([^;]+)/.exec(m[1])?.[1];
        ircAt.set(m[2], time ? Date.parse(time) : Date.now());
      }
      for (const c of discordChannels) {
        if (discordAt.has(c)) continue;
        const hit = discord.sentBy(c).find((x) => x.content.includes("zq9x0"));
        if (hit) discordAt.set(c, Date.parse(hit.timestamp));
      }
      const matrixDone = byRoom.filter((c) => c.arrivals.size).length;
      if (ircAt.size + discordAt.size + matrixDone >= total || Date.now() > end) break;
      await sleep(200);
    }
    const matrixAt = byRoom.flatMap((c) => [...c.arrivals.values()]);
    const last = (xs: number[]) => (xs.length ? Math.max(...xs) - due : undefined);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    const matrix429 = [...metrics.matchAll(/^crier_matrix_rate_limited_total\{[^}]*\} (\d+)/gm)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
    if (ircAt.size < n.irc)
      process.stderr.write(
        `fan-out: crier's IRC lines: ${wes.lines
          .filter((l) => / :crier/.test(l))
          .slice(-5)
          .join("\n")}\n`,
      );
    const kicks = wes.lines.filter((l) => /:crier!\S+ QUIT |KICK #\S+ crier /.test(l)).length;
    const minIrc = Math.max(0, n.irc - IRC_BURST) * IRC_INTERVAL_MS;
    const minDiscord = Math.floor((n.discord - 1) / DISCORD_PER_SECOND) * 1000;
    const note = `${n.irc} IRC + ${n.matrix} Matrix + ${n.discord} Discord rooms`;
    figures.push(
      figure("fan-out: spawn → every account connected", readyAt === undefined ? undefined : readyAt - spawned, "ms", {
        note: `the announcement was due ${Math.round((due - spawned) / 1000)} s after the spawn`,
      }),
      figure(`fan-out to ${n.irc} IRC channels: due → last copy`, last([...ircAt.values()]), "ms", {
        minimum: minIrc,
        limit: `crier's IRC pacing: a burst of ${IRC_BURST}, then one line per ${IRC_INTERVAL_MS} ms`,
      }),
      figure(`fan-out to ${n.matrix} Matrix rooms: due → last copy`, last(matrixAt), "ms", {
        minimum: 0,
        limit: "application service, rate_limited: false (Synapse's shipped burst 10, 0.2/s applies to users)",
      }),
      figure(`fan-out to ${n.discord} Discord channels: due → last copy`, last([...discordAt.values()]), "ms", {
        minimum: minDiscord,
        limit: `the fake Discord: ${DISCORD_PER_SECOND} requests a second per route`,
      }),
      figure(
        `fan-out to ${total} rooms: due → last copy`,
        last([...ircAt.values(), ...matrixAt, ...discordAt.values()]),
        "ms",
        {
          minimum: Math.max(minIrc, minDiscord),
          note,
        },
      ),
      figure("fan-out: copies missing", total - ircAt.size - discordAt.size - matrixAt.length, "copies", { note }),
      figure("fan-out: Matrix 429 answers met by crier", matrix429, "answers", {
        note: "crier_matrix_rate_limited_total",
      }),
      figure("fan-out: Discord 429 answers (the fake's count)", discord429, "answers"),
      figure("fan-out: crier kicked or quit on IRC", kicks, "times"),
    );
  } catch (err) {
    figures.push(missing("fan-out", "ms", `failed: ${(err as Error).stack}`));
  } finally {
    await watcher?.stop().catch(() => undefined);
    await crier?.stop().catch(() => undefined);
    if (wes.lines.length) wes.close();
    await Promise.all([irc.stop(), synapse.stop(), discord.stop().catch(() => undefined)]);
  }
  return { figures };
}
