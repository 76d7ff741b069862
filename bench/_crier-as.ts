/**
 * A second crier in the rig (bench/_rig.ts) whose Matrix account is an application service, as heisenbridge's is:
 * Synapse pushes it each event instead of answering a /sync long poll, and IRC people are ghosts. It links `#a0` to
 * a Matrix room of its own, so crier is measured both as a bot and as an application service against the same peer.
 * Its ids keep apart from the bot-mode crier's: the bridge bot is `@cas`, ghosts are `@cas_…`, its IRC nick `crieras`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { appserviceSchema } from "../src/adapters/matrix/config.js";
import { buildRegistration, loadOrCreateTokens, writeRegistration } from "../src/adapters/matrix/registration.js";
import { freePort } from "../test/testbed/ports.js";
import { MatrixTestUser } from "../test/testbed/synapse-client.js";
import { CrierProcess, untilConnected } from "./_process.js";

const ACCOUNT = "matrix.hs";
export const AS_CHANNEL = "#a0";
export const AS_NICK = "crieras";
export const AS_GHOSTS = "@cas_";

export class CrierAppservice {
  readonly stateDir = mkdtempSync(join(tmpdir(), "crier-rig-as-"));
  readonly registration = join(this.stateDir, "registration.yaml");
  readonly botId = "@cas:localhost";
  room = "";
  process: CrierProcess | undefined;
  private port = 0;
  private tokens = { as_token: "", hs_token: "" };

  private appservice() {
    return {
      serverName: "localhost",
      port: this.port,
      registration: this.registration,
      id: "crier-bench",
      userPrefix: "cas_",
      botLocalpart: "cas",
    };
  }

  /** Writes the registration the way `crier appservice-registration` does; Synapse must load it at its start. */
  async generate(): Promise<void> {
    this.port = await freePort();
    this.tokens = loadOrCreateTokens(this.stateDir, ACCOUNT).tokens;
    writeRegistration(this.registration, buildRegistration(appserviceSchema.parse(this.appservice()), this.tokens));
  }

  /** Registers the bridge bot (with the as_token) and has `owner` make its room, inviting it. */
  async prepare(homeserver: string, owner: MatrixTestUser): Promise<void> {
    const bot = new MatrixTestUser(homeserver, this.botId, this.tokens.as_token, "");
    await bot.request("POST", "/_matrix/client/v3/register", {
      type: "m.login.application_service",
      username: "cas",
    });
    this.room = await owner.createRoom({ invite: [this.botId], name: "a0" });
  }

  /** Starts crier (compiled) and waits until /healthz has every account connected. */
  async start(homeserver: string, ircPort: number): Promise<void> {
    const http = await freePort();
    const file = join(this.stateDir, "crier.yaml");
    writeFileSync(
      file,
      stringify({
        accounts: {
          "irc.net": {
            host: "127.0.0.1",
            port: ircPort,
            tls: false,
            nick: AS_NICK,
            channels: [AS_CHANNEL],
            burst: 20,
            lineIntervalMs: 20,
          },
          [ACCOUNT]: { mode: "appservice", homeserver, rooms: [this.room], appservice: this.appservice() },
        },
        links: [
          {
            name: "a0",
            floodBacklog: "off",
            rooms: [
              { account: "irc.net", room: AS_CHANNEL },
              { account: ACCOUNT, room: this.room },
            ],
          },
        ],
        http: { enabled: true, host: "127.0.0.1", port: http },
        log: { level: "info" },
      }),
    );
    this.process = new CrierProcess(file, this.stateDir, "compiled");
    await this.process.started;
    await untilConnected(http, "crier (application service)");
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
