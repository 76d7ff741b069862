/**
 * One room on each of the three networks — a real InspIRCd channel, a real Synapse room and a fake Discord channel
 * (which unmodified discord.js talks to) — with a person on each, linked by one crier link. Tests run crier
 * in-process (`startApp`) or as a real process they can SIGKILL (`configFile` + `bin/crier.js start`).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { MatrixAdapter } from "../../../src/adapters/matrix/adapter.js";
import type { Clock } from "../../../src/services/clock.js";
import { FakeDiscord } from "../../fake-discord/index.js";
import type { FakeUser } from "../../fake-discord/state.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { type IrcWithServices, startIrcWithServices } from "../../testbed/atheme.js";
import { type InspIRCd, startInspIRCd } from "../../testbed/inspircd.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { type Synapse, startSynapse } from "../../testbed/synapse.js";

export const IRC = "irc.net";
export const MATRIX = "matrix.hs";
export const DISCORD = "discord.dc";
export const CHANNEL = "#devel";

export interface ThreeOptions {
  /** Extra top-level config merged in (admins, meetings, commands, …). */
  extra?: Record<string, unknown>;
  ircHistoryLines?: number;
  /** IRC pace for crier (ms between lines after the burst). */
  ircLineIntervalMs?: number;
  /** Put crier's console room in the link too (someone to talk while every network is down). */
  linkConsole?: boolean;
  /** Relay joins, parts, nick changes and topics on the link. */
  linkMembership?: boolean;
  /** Link Atheme services to the InspIRCd (real accounts) and stop trusting nicks, as on a public network. */
  ircServices?: boolean;
  /** Show crier's answers in every linked room (the default) or only in the asker's. */
  answersEverywhere?: boolean;
  /** More settings of the link (describeChanges, senderTemplate, …). */
  linkOptions?: Record<string, unknown>;
}

export class ThreeNetworks {
  irc!: InspIRCd;
  services?: IrcWithServices;
  synapse!: Synapse;
  readonly discord = new FakeDiscord();
  /** crier's Matrix account, and Matrix people. */
  bot!: MatrixTestUser;
  mara!: MatrixTestUser;
  /** A Matrix moderator (power level 50). */
  mod!: MatrixTestUser;
  room!: string;
  channelId!: string;
  dora!: FakeUser;
  /** A Discord user with the moderator role (Manage Server). */
  dmod!: FakeUser;
  ivan!: RawIrcClient;
  readonly stateDir = mkdtempSync(join(tmpdir(), "crier-three-"));
  app?: TestApp;

  constructor(private readonly opts: ThreeOptions = {}) {}

  async start(): Promise<void> {
    const historyLines = this.opts.ircHistoryLines ?? 200;
    const [irc, synapse] = await Promise.all([
      this.opts.ircServices
        ? startIrcWithServices({ historyLines }).then((s) => {
            this.services = s;
            return s.ircd;
          })
        : startInspIRCd({ historyLines }),
      startSynapse(),
      this.discord.start(),
    ]);
    this.irc = irc;
    this.synapse = synapse;
    this.bot = await synapse.register("crier");
    this.mara = await synapse.register("mara");
    this.mod = await synapse.register("moddy");
    this.room = await this.mara.createRoom({ invite: [this.bot.userId, this.mod.userId], name: "devel" });
    await this.mod.join(this.room);
    await this.mara.setPowerLevel(this.room, this.mod.userId, 50);
    this.channelId = this.discord.world.addChannel("devel");
    this.dora = this.discord.world.addUser("dora");
    this.dmod = this.discord.world.addUser("dmod", { mod: true });
    this.ivan = await this.ircPerson("ivan");
  }

  /** A person on IRC, in the linked channel. */
  async ircPerson(nick: string): Promise<RawIrcClient> {
    const c = new RawIrcClient(nick, this.irc.port);
    await c.connect();
    await c.join(CHANNEL);
    return c;
  }

  config(): Record<string, unknown> {
    const extra = this.opts.extra ?? {};
    return {
      accounts: {
        [IRC]: {
          host: "127.0.0.1",
          port: this.irc.port,
          tls: false,
          nick: "crier",
          channels: [CHANNEL],
          // Without services (test/testbed/atheme.ts) nicks are identities, as on a private server; with them,
          // only services accounts are (test/e2e/identity-irc.test.ts).
          trustNicks: !this.opts.ircServices,
          burst: 20,
          lineIntervalMs: this.opts.ircLineIntervalMs ?? 20,
          regainEverySec: 1,
        },
        [MATRIX]: {
          homeserver: this.synapse.url,
          accessToken: this.bot.token,
          rooms: [this.room],
          syncTimeoutMs: 1000,
        },
        [DISCORD]: {
          token: this.discord.token,
          api: this.discord.api,
          guild: this.discord.world.guildId,
          channels: [this.channelId],
        },
      },
      links: [
        {
          name: "devel",
          membership: this.opts.linkMembership ?? false,
          ...(this.opts.answersEverywhere === false ? { answersEverywhere: false } : {}),
          ...this.opts.linkOptions,
          rooms: [
            { account: IRC, room: CHANNEL },
            { account: MATRIX, room: this.room },
            { account: DISCORD, room: this.channelId },
            ...(this.opts.linkConsole ? [{ account: "console", room: "console" }] : []),
          ],
        },
      ],
      commands: { perUserPerMinute: 1000, perRoomPerMinute: 1000 },
      ...extra,
    };
  }

  /** Writes the config for a crier process (log level warn). */
  configFile(): string {
    const file = join(this.stateDir, "crier.yaml");
    writeFileSync(file, stringify({ ...this.config(), log: { level: "warn" } }), { mode: 0o600 });
    return file;
  }

  /** crier in this process, connected to all three (a FakeClock may stand in for time; networks still run on real time). */
  async startApp(clock?: Clock): Promise<TestApp> {
    const { console: _c, ...accounts } = this.config().accounts as Record<string, unknown>;
    this.app = await makeTestApp(
      { ...this.config(), accounts: { console: { user: "op", rooms: ["console"] }, ...accounts } },
      { stateDir: this.stateDir, clock },
    );
    await this.waitConnected();
    return this.app;
  }

  async waitConnected(): Promise<void> {
    const { adapters } = this.app!.app.ctx;
    await waitUntil(
      "crier connected to IRC, Matrix and Discord",
      () =>
        [IRC, MATRIX, DISCORD].every((a) => adapters.get(a)?.state() === "connected") &&
        (adapters.get(IRC) as unknown as { joined: Map<string, number> }).joined.has(CHANNEL),
      60_000,
    );
    await (adapters.get(MATRIX) as MatrixAdapter).whenSynced();
  }

  async stop(): Promise<void> {
    await this.app?.close().catch(() => undefined);
    this.ivan?.close();
    await Promise.all([
      this.services ? this.services.stop() : this.irc?.stop(),
      this.synapse?.stop(),
      this.discord.stop().catch(() => undefined),
    ]);
  }

  // --- what each side sees ---

  /** PRIVMSG lines crier sent to the IRC channel, tags kept, as seen by `who`. */
  ircFromCrier(who: RawIrcClient = this.ivan): string[] {
    return who.lines.filter((l) => /^(@\S+ )?:crier_?!\S+ PRIVMSG #devel :/.test(l));
  }

  /** The text of such a line, without tags, prefix and IRC formatting codes. */
  static ircText(line: string): string {
    const text = line.replace(/^(@\S+ )?:\S+ PRIVMSG \S+ :/, "");
    return text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x1d\x1f\x1e\x11\x16\x0f]|\u200b/g, "");
  }

  async waitIrc(pred: (text: string, raw: string) => boolean, ms = 20_000): Promise<string> {
    let hit: string | undefined;
    await waitUntil(
      "a line from crier on IRC",
      () => {
        hit = this.ircFromCrier().find((l) => pred(ThreeNetworks.ircText(l), l));
        return !!hit;
      },
      ms,
    );
    return hit!;
  }

  /** Events from crier's Matrix account in the room. */
  async matrixFromCrier(limit = 200) {
    return (await this.mara.messages(this.room, limit)).filter((e) => e.sender === this.bot.userId);
  }

  waitMatrix(pred: (e: { type: string; content: Record<string, unknown> }) => boolean, ms = 20_000) {
    return this.mara.waitFor(this.room, (e) => e.sender === this.bot.userId && pred(e), 1, ms).then((h) => h[0]);
  }

  /** Messages crier (bot or webhook) posted in the Discord channel. */
  discordFromCrier() {
    return this.discord.sentBy(this.channelId);
  }

  async waitDiscord(pred: (m: ReturnType<FakeDiscord["sentBy"]>[number]) => boolean, ms = 20_000) {
    let hit: ReturnType<FakeDiscord["sentBy"]>[number] | undefined;
    await waitUntil(
      "a message from crier on Discord",
      () => {
        hit = this.discordFromCrier().find(pred);
        return !!hit;
      },
      ms,
    );
    return hit!;
  }
}
