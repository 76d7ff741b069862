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
import { appserviceSchema } from "../../../src/adapters/matrix/config.js";
import { buildRegistration, loadOrCreateTokens, writeRegistration } from "../../../src/adapters/matrix/registration.js";
import type { Clock } from "../../../src/services/clock.js";
import { FakeDiscord } from "../../fake-discord/index.js";
import type { FakeUser } from "../../fake-discord/state.js";
import { makeTestApp, type TestApp } from "../../helpers/app.js";
import { type IrcWithServices, startIrcWithServices } from "../../testbed/atheme.js";
import { type InspIRCd, startInspIRCd } from "../../testbed/inspircd.js";
import { RawIrcClient } from "../../testbed/irc-client.js";
import { freePort, waitUntil } from "../../testbed/ports.js";
import { MatrixTestUser } from "../../testbed/synapse-client.js";
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
  /** More settings of the link (describeChanges, floodBacklog, …). */
  linkOptions?: Record<string, unknown>;
  /**
   * crier's Matrix account as an application service: the registration crier makes is loaded by Synapse, relayed
   * people are ghosts (`@crier_…`), and `bot` is the appservice's own user (acting with the as_token).
   */
  matrixAppservice?: boolean;
  /** The URL Synapse pushes to in matrixAppservice mode (a proxy in front of crier's listener), if not the listener. */
  appserviceUrl?: string;
  /** Synapse's message rate limit kept low, as it ships (default: lifted). */
  synapseRealistic?: { perSecond: number; burst: number };
}

/** The appservice's own user and the ghosts' prefix in matrixAppservice mode. */
export const AS_BOT = "crier";
export const GHOST_PREFIX = "@crier_";

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

  /** The appservice listener's port and its registration file (matrixAppservice). */
  asPort?: number;
  registrationFile?: string;
  asTokens?: { as_token: string; hs_token: string };

  /** Writes the registration the way `crier appservice-registration` does, for Synapse to load at start. */
  private async registration(): Promise<string[]> {
    if (!this.opts.matrixAppservice) return [];
    this.asPort = await freePort();
    this.registrationFile = join(this.stateDir, "crier-registration.yaml");
    const as = appserviceSchema.parse(this.appserviceConfig());
    this.asTokens = loadOrCreateTokens(this.stateDir, MATRIX).tokens;
    writeRegistration(this.registrationFile, buildRegistration(as, this.asTokens));
    return [this.registrationFile];
  }

  private appserviceConfig() {
    const url = this.opts.appserviceUrl;
    return {
      serverName: "localhost",
      port: this.asPort!,
      registration: this.registrationFile!,
      ...(url ? { url } : {}),
    };
  }

  async start(): Promise<void> {
    const historyLines = this.opts.ircHistoryLines ?? 200;
    const appServiceConfigFiles = await this.registration();
    const [irc, synapse] = await Promise.all([
      this.opts.ircServices
        ? startIrcWithServices({ historyLines }).then((s) => {
            this.services = s;
            return s.ircd;
          })
        : startInspIRCd({ historyLines }),
      startSynapse({ appServiceConfigFiles, realistic: this.opts.synapseRealistic }),
      this.discord.start(),
    ]);
    this.irc = irc;
    this.synapse = synapse;
    if (this.asTokens) {
      // The appservice's own user acts with the as_token; registering it first lets it be invited.
      this.bot = new MatrixTestUser(synapse.url, `@${AS_BOT}:localhost`, this.asTokens.as_token, "");
      await this.bot.request("POST", "/_matrix/client/v3/register", {
        type: "m.login.application_service",
        username: AS_BOT,
      });
    } else this.bot = await synapse.register("crier");
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
        [MATRIX]: this.opts.matrixAppservice
          ? {
              mode: "appservice",
              homeserver: this.synapse.url,
              rooms: [this.room],
              appservice: this.appserviceConfig(),
            }
          : { homeserver: this.synapse.url, accessToken: this.bot.token, rooms: [this.room], syncTimeoutMs: 1000 },
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

  /** A Matrix user's display name in their profile, as mara reads it. */
  async profileName(userId: string): Promise<string> {
    const path = `/_matrix/client/v3/profile/${encodeURIComponent(userId)}/displayname`;
    return (await this.mara.request("GET", path)).displayname as string;
  }

  /** A Matrix user's display name in the linked room (their m.room.member state), as mara reads it. */
  async memberName(userId: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(this.room)}/state/m.room.member/${encodeURIComponent(userId)}`;
    return (await this.mara.request("GET", path)).displayname as string;
  }

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

  /** crier's own Matrix account, or (matrixAppservice) one of its ghosts. */
  fromCrier(sender: string): boolean {
    return sender === this.bot.userId || (!!this.opts.matrixAppservice && sender.startsWith(GHOST_PREFIX));
  }

  /** Events from crier's Matrix account (or its ghosts) in the room. */
  async matrixFromCrier(limit = 200) {
    return (await this.mara.messages(this.room, limit)).filter((e) => this.fromCrier(e.sender));
  }

  waitMatrix(pred: (e: { type: string; sender: string; content: Record<string, unknown> }) => boolean, ms = 20_000) {
    return this.mara.waitFor(this.room, (e) => this.fromCrier(e.sender) && pred(e), 1, ms).then((h) => h[0]);
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
