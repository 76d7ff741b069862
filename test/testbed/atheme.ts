/**
 * Real IRC accounts for the tests: Atheme services (Debian `atheme-services`) linked to a test InspIRCd, so
 * NickServ REGISTER/IDENTIFY, SASL PLAIN, account-tag, extended-join, account-notify and WHOX all carry a real
 * services account. Started only by the tests about identity; ready once NickServ answers on the network.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AccountCaps, type InspIRCd, LINK_PASSWORD, SERVICES_NAME, startInspIRCd } from "./inspircd.js";
import { RawIrcClient } from "./irc-client.js";
import { waitUntil } from "./ports.js";

const BINARY = ["/usr/bin/atheme-services", "/usr/sbin/atheme-services"].find((p) => existsSync(p));

export interface IrcWithServices {
  ircd: InspIRCd;
  port: number;
  /** Atheme's log (for a failing test's message). */
  servicesLog(): string;
  stop(): Promise<void>;
}

function athemeConfig(linkPort: number): string {
  const mods = [
    "protocol/inspircd",
    "backend/opensex",
    "crypto/pbkdf2v2",
    "nickserv/main",
    "nickserv/register",
    "nickserv/identify",
    "nickserv/logout",
    "nickserv/info",
    "saslserv/main",
    "saslserv/plain",
  ];
  // No flood limits and no e-mail check: tests register and identify many accounts quickly.
  return `${mods.map((m) => `loadmodule "modules/${m}";`).join("\n")}
serverinfo {
  name = "${SERVICES_NAME}";
  desc = "crier test services";
  numeric = "00A";
  recontime = 1;
  netname = "TestNet";
  hidehostsuffix = "users.test";
  adminname = "t";
  adminemail = "t@t.invalid";
  registeremail = "t@t.invalid";
  auth = none;
  casemapping = rfc1459;
  loglevel = { admin; error; info; network; };
  maxlogins = 5;
  maxusers = 0;
  maxnicks = 5;
  maxchans = 5;
  mintstime = 0;
};
general {
  commit_interval = 5;
  flood_msgs = 0;
  flood_time = 10;
  ratelimit_uses = 0;
  ratelimit_period = 60;
};
crypto { pbkdf2v2_digest = "SHA256"; pbkdf2v2_rounds = 1000; };
uplink "irc.test.local" {
  host = "127.0.0.1";
  port = ${linkPort};
  send_password = "${LINK_PASSWORD}";
  receive_password = "${LINK_PASSWORD}";
};
nickserv { nick = "NickServ"; user = "NickServ"; host = "${SERVICES_NAME}"; real = "Nickname Services"; spam = no; };
saslserv { nick = "SaslServ"; user = "SaslServ"; host = "${SERVICES_NAME}"; real = "SASL Authentication Agent"; };
`;
}

/** InspIRCd with Atheme linked to it; resolves once NickServ is on the network (the link burst is done). */
export async function startIrcWithServices(
  /** `accountCaps` leaves out InspIRCd's account-tag (and extended-join, account-notify) modules: the fallbacks. */
  opts: { historyLines?: number; accountCaps?: AccountCaps } = {},
): Promise<IrcWithServices> {
  if (!BINARY) throw new Error("Atheme not found — run: bash scripts/testbed-install.sh (installs atheme-services)");
  const ircd = await startInspIRCd({ ...opts, services: true });
  const dir = mkdtempSync(join(tmpdir(), "crier-atheme-"));
  writeFileSync(join(dir, "atheme.conf"), athemeConfig(ircd.linkPort!));
  const logFile = join(dir, "atheme.log");
  const servicesLog = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  let output = "";
  const proc: ChildProcess = spawn(
    BINARY,
    ["-n", "-c", join(dir, "atheme.conf"), "-D", dir, "-l", logFile, "-p", join(dir, "atheme.pid")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout?.on("data", (d) => {
    output = (output + d).slice(-4000);
  });
  proc.stderr?.on("data", (d) => {
    output = (output + d).slice(-4000);
  });
  const stop = async () => {
    if (proc.exitCode === null) {
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await gone;
    }
    await ircd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = new RawIrcClient(`probe${Math.floor(Math.random() * 1e6)}`, ircd.port, []);
  try {
    await probe.connect();
    // WHOIS NickServ answers 311 only once services have linked and burst their clients.
    await waitUntil(
      "Atheme to link to InspIRCd (NickServ on the network)",
      () => {
        if (proc.exitCode !== null) throw new Error("atheme exited");
        if (probe.lines.some((l) => / 311 \S+ NickServ /.test(l))) return true;
        probe.lines.length = 0;
        probe.send("WHOIS NickServ");
        return false;
      },
      20_000,
    );
  } catch (err) {
    await stop();
    throw new Error(
      `${(err as Error).message}; atheme output: ${output.slice(-1500)} log: ${servicesLog().slice(-1500)}`,
    );
  } finally {
    probe.close();
  }
  return { ircd, port: ircd.port, servicesLog, stop };
}

/**
 * Registers a services account named after the client's nick (NickServ REGISTER logs the client in), and resolves
 * once services confirm it.
 */
export async function registerAccount(client: RawIrcClient, password: string): Promise<void> {
  client.say("NickServ", `REGISTER ${password} ${client.nick}@test.invalid`);
  await client.waitFor(new RegExp(`:NickServ!\\S+ NOTICE ${client.nick} :.*${client.nick}.* is now registered`, "i"));
}

/** Logs a connected client in to an existing account (NickServ IDENTIFY) and waits for services to confirm. */
export async function identify(client: RawIrcClient, account: string, password: string): Promise<void> {
  const from = client.lines.length;
  client.say("NickServ", `IDENTIFY ${account} ${password}`);
  await waitUntil(`${client.nick} logged in as ${account}`, () =>
    client.lines.slice(from).some((l) => new RegExp(` 900 \\S+ \\S+ ${account} `).test(l)),
  );
}
