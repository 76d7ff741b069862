/**
 * One InspIRCd and one Synapse (the test testbeds: flood and message limits lifted) carrying, side by side:
 * - crier as a process (compiled, `bin/crier.js start`), its Matrix account a bot user, linking `#c0…#c<N-1>` to
 *   Matrix rooms `c0…`, IRC pacing lifted to match the server (burst 20, 20 ms a line);
 * - crier again with its Matrix account an application service (bench/_crier-as.ts), linking `#a0`, as
 *   heisenbridge is one (BENCH_CRIER_AS=0 leaves it out);
 * - heisenbridge 1.15.4 (bench/_heisenbridge.ts), an application service on the same Synapse, owned by mara and
 *   bridging `#hb`;
 * - the floors: `#floor` on IRC (ivan → wes) and a Matrix room (bob → mara), no bridge between.
 * People: ivan says on IRC, wes watches IRC, mara says on Matrix and watches Matrix, bob says in the Matrix floor.
 * BENCH_PEER=0 leaves heisenbridge out (its figures are then null).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { type InspIRCd, startInspIRCd } from "../test/testbed/inspircd.js";
import { freePort } from "../test/testbed/ports.js";
import type { MatrixTestUser } from "../test/testbed/synapse-client.js";
import { type Synapse, startSynapse } from "../test/testbed/synapse.js";
import { AS_CHANNEL, AS_GHOSTS, AS_NICK, CrierAppservice } from "./_crier-as.js";
import { bridgeChannel, ensureHeisenbridge, Heisenbridge } from "./_heisenbridge.js";
import { Collector, MatrixSyncWatcher, TimedIrcClient, token } from "./_observe.js";
import { CrierProcess, ensureCompiled, sleep, untilConnected } from "./_process.js";

/** crier as a bot, crier as an application service, the peer. */
export type Bridge = "crier" | "crier-as" | "heisenbridge";

/** One direction through one bridge (or no bridge: the floor): where lines are said and where they are seen. */
export interface Path {
  /** Says line `n` of `round`; returns when it was said. */
  say(round: number, n: number): number;
  /** Collects the round's arrivals at the far end. */
  collect(round: number): Collector;
  done(c: Collector): void;
}

export class Rig {
  irc!: InspIRCd;
  synapse!: Synapse;
  crier!: CrierProcess;
  hb: Heisenbridge | undefined;
  crierAs: CrierAppservice | undefined;
  ivan!: TimedIrcClient;
  wes!: TimedIrcClient;
  mara!: MatrixTestUser;
  bob!: MatrixTestUser;
  watcher!: MatrixSyncWatcher;
  readonly crierRooms: string[] = [];
  hbRoom: string | undefined;
  floorRoom!: string;
  private botId = "";

  constructor(readonly links = 1) {}

  async start(): Promise<void> {
    ensureCompiled();
    const peer = process.env.BENCH_PEER !== "0";
    if (peer) {
      ensureHeisenbridge();
      this.hb = new Heisenbridge();
      await this.hb.generate();
    }
    if (process.env.BENCH_CRIER_AS !== "0") {
      this.crierAs = new CrierAppservice();
      await this.crierAs.generate();
    }
    const registrations = [this.hb?.registration, this.crierAs?.registration].filter((f): f is string => !!f);
    [this.irc, this.synapse] = await Promise.all([
      startInspIRCd(),
      startSynapse({ appServiceConfigFiles: registrations }),
    ]);
    const bot = await this.synapse.register("crier");
    this.botId = bot.userId;
    this.mara = await this.synapse.register("mara");
    this.bob = await this.synapse.register("bob");
    for (let i = 0; i < this.links; i++)
      this.crierRooms.push(await this.mara.createRoom({ invite: [bot.userId], name: `c${i}` }));
    await this.crierAs?.prepare(this.synapse.url, this.mara);
    this.floorRoom = await this.mara.createRoom({ invite: [this.bob.userId], name: "floor" });
    await this.bob.join(this.floorRoom);
    this.ivan = new TimedIrcClient("ivan", this.irc.port);
    this.wes = new TimedIrcClient("wes", this.irc.port);
    await Promise.all([this.ivan.connect(), this.wes.connect()]);
    for (const c of [...this.crierRooms.map((_, i) => `#c${i}`), AS_CHANNEL, "#hb", "#floor"]) await this.ivan.join(c);
    for (const c of ["#c0", AS_CHANNEL, "#hb", "#floor"]) await this.wes.join(c);
    this.watcher = new MatrixSyncWatcher(this.mara);
    await this.watcher.start();
    await this.startCrier(bot.token);
    await this.crierAs?.start(this.synapse.url, this.irc.port);
    if (this.hb) {
      this.hb.start(this.synapse.url, this.mara.userId);
      this.hbRoom = await bridgeChannel(this.mara, this.irc.port, "#hb", "hb");
      if (!this.hbRoom) process.stderr.write("bench: heisenbridge never bridged #hb; its figures are null\n");
    }
    await this.warmUp();
  }

  private async startCrier(token: string): Promise<void> {
    const stateDir = mkdtempSync(join(tmpdir(), "crier-rig-"));
    const port = await freePort();
    const file = join(stateDir, "crier.yaml");
    const rooms = this.crierRooms;
    writeFileSync(
      file,
      stringify({
        accounts: {
          "irc.net": {
            host: "127.0.0.1",
            port: this.irc.port,
            tls: false,
            nick: "crier",
            channels: rooms.map((_, i) => `#c${i}`),
            burst: 20,
            lineIntervalMs: 20,
          },
          "matrix.hs": { homeserver: this.synapse.url, accessToken: token, rooms },
        },
        links: rooms.map((room, i) => ({
          name: `c${i}`,
          // Every line counts here: no folding of a flood into one line per sender.
          floodBacklog: "off",
          rooms: [
            { account: "irc.net", room: `#c${i}` },
            { account: "matrix.hs", room },
          ],
        })),
        http: { enabled: true, host: "127.0.0.1", port },
        log: { level: "info" },
      }),
    );
    this.crier = new CrierProcess(file, stateDir, "compiled");
    await this.crier.started;
    await untilConnected(port);
  }

  /** IRC → Matrix or Matrix → IRC through `bridge` in its room (crier: room `index`); undefined if absent. */
  path(bridge: Bridge, direction: "irc→matrix" | "matrix→irc", index = 0): Path | undefined {
    const ends = {
      crier: {
        channel: `#c${index}`,
        room: this.crierRooms[index],
        nick: "crier",
        from: (s: string) => s === this.botId,
      },
      "crier-as": {
        channel: AS_CHANNEL,
        room: this.crierAs?.room,
        nick: AS_NICK,
        from: (s: string) => s.startsWith(AS_GHOSTS),
      },
      heisenbridge: { channel: "#hb", room: this.hbRoom, nick: "hb", from: (s: string) => s !== this.mara.userId },
    };
    const { channel, room, nick, from } = ends[bridge];
    if (!room) return undefined;
    if (direction === "irc→matrix")
      return this.matrixEnd(room, from, (round, n) => this.ivan.say(channel, token(round, n)));
    return this.ircEnd(channel, nick, (round, n) => this.sayMatrix(this.mara, room, round, n));
  }

  /** A platform's own floor: one client to another, no bridge (IRC: ivan → wes, Matrix: bob → mara). */
  floor(platform: "irc" | "matrix"): Path {
    if (platform === "irc")
      return this.ircEnd("#floor", "ivan", (round, n) => this.ivan.say("#floor", token(round, n)));
    const bob = this.bob.userId;
    return this.matrixEnd(
      this.floorRoom,
      (s) => s === bob,
      (round, n) => this.sayMatrix(this.bob, this.floorRoom, round, n),
    );
  }

  private sayMatrix(user: MatrixTestUser, room: string, round: number, n: number): number {
    const at = Date.now();
    void user.sendText(room, token(round, n)).catch((e) => process.stderr.write(`bench: ${e}\n`));
    return at;
  }

  private matrixEnd(room: string, from: (sender: string) => boolean, say: Path["say"]): Path {
    return {
      say,
      collect: (round) => this.watcher.collect(new Collector(round, room, from)),
      done: (c) => this.watcher.drop(c),
    };
  }

  private ircEnd(channel: string, nick: string, say: Path["say"]): Path {
    return {
      say,
      collect: (round) => this.wes.collect(new Collector(round, channel, (s) => s === nick)),
      done: (c) => this.wes.drop(c),
    };
  }

  /** One line each way through each bridge, so no measured line pays for a first contact (a puppet's join). */
  private async warmUp(): Promise<void> {
    const paths = (["crier", "crier-as", "heisenbridge"] as const).flatMap((b) =>
      (["irc→matrix", "matrix→irc"] as const).map((d) => this.path(b, d)),
    );
    for (const p of paths) {
      if (!p) continue;
      const c = p.collect(0);
      p.say(0, 0);
      for (let i = 0; i < 300 && !c.arrivals.size; i++) await sleep(100);
      p.done(c);
      if (!c.arrivals.size) process.stderr.write("bench: a warm-up line never arrived\n");
    }
  }

  async stop(): Promise<void> {
    await this.watcher?.stop().catch(() => undefined);
    await this.crier?.stop().catch(() => undefined);
    await this.crierAs?.stop().catch(() => undefined);
    await this.hb?.stop().catch(() => undefined);
    this.ivan?.close();
    this.wes?.close();
    await Promise.all([this.irc?.stop(), this.synapse?.stop()]);
  }
}
