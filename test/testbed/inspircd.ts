/**
 * A real InspIRCd 3 for the tests: started on a free port from a temporary config with the IRCv3 modules and
 * channel history, stopped (or killed and restarted on the same port) by the tests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitUntil } from "./ports.js";

const BINARY = ["/usr/sbin/inspircd", "/usr/bin/inspircd"].find((p) => existsSync(p));
/** The name Atheme links under (test/testbed/atheme.ts) and the password both ends of the link use. */
export const SERVICES_NAME = "services.test.local";
export const LINK_PASSWORD = "crier-link-pw";

export interface InspIRCd {
  port: number;
  /** The server-to-server port services link to (only with `services: true`). */
  linkPort?: number;
  dir: string;
  /** Every line clients sent the server (USERINPUT log), for "the server received no QUIT" checks. */
  serverInput(): string;
  /** The raw lines the server received from every connection that ever used this nick (exactly as received). */
  inputOf(nick: string): string[];
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The server block services link through (spanningtree), with the services modules; empty without services. */
function servicesConfig(linkPort: number | undefined): string {
  if (!linkPort) return "";
  return `<bind address="127.0.0.1" port="${linkPort}" type="servers">
<link name="${SERVICES_NAME}" ipaddr="127.0.0.1" port="${linkPort}" allowmask="127.0.0.1" sendpass="${LINK_PASSWORD}" recvpass="${LINK_PASSWORD}" timeout="30">
<uline server="${SERVICES_NAME}" silent="yes">
<module name="spanningtree"><module name="services_account"><module name="sasl"><module name="svshold">
<sasl requiressl="no" target="${SERVICES_NAME}">
`;
}

/** Which IRCv3 account features the server offers: all, all but account-tag, or none (only WHOX and WHOIS 330). */
export type AccountCaps = "all" | "no-tag" | "none";

// commandrate is commands per second ×1000 and threshold the penalty allowed: tests say up to 10,000 lines a
// second, and change nick hundreds of times, without an Excess Flood.
function config(dir: string, port: number, historyLines: number, linkPort?: number, caps: AccountCaps = "all"): string {
  return `<server name="irc.test.local" description="crier test" network="TestNet" id="001">
<admin name="t" nick="t" email="t@t.invalid">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect allow="*" timeout="60" pingfreq="120" sendq="1048576" recvq="65536" threshold="100000" commandrate="10000000" fakelag="off" localmax="1000" globalmax="1000" useident="no" limit="5000" maxchans="100">
<class name="all" commands="*">
<power diepass="x" restartpass="x">
<options defaultmodes="notH ${historyLines}:1h">
<security runasuser="" runasgroup="">
<performance netbuffersize="10240" somaxconn="128" softlimit="12800" clonesonconnect="no" quietbursts="yes">
<pid file="${dir}/inspircd.pid">
<log method="file" type="USERINPUT" level="rawio" flush="1" target="${dir}/ircd.log">
<module name="cap">${caps === "none" ? "" : '<module name="ircv3">'}<module name="ircv3_echomessage"><module name="ircv3_servertime">
<module name="ircv3_msgid"><module name="ircv3_ctctags"><module name="ircv3_batch">
<module name="ircv3_labeledresponse">${caps === "all" ? '<module name="ircv3_accounttag">' : ""}<module name="ircv3_capnotify">
<module name="botmode"><module name="namesx"><module name="uhnames"><module name="chanhistory">
<chanhistory maxlines="${historyLines}" notice="no" bots="yes">
<dns timeout="1">
<files motd="${dir}/motd">
${servicesConfig(linkPort)}`;
}

export async function startInspIRCd(
  opts: { historyLines?: number; services?: boolean; accountCaps?: AccountCaps } = {},
): Promise<InspIRCd> {
  if (!BINARY) throw new Error("InspIRCd not found — run: bash scripts/testbed-install.sh");
  const dir = mkdtempSync(join(tmpdir(), "crier-ircd-"));
  const port = await freePort();
  const linkPort = opts.services ? await freePort() : undefined;
  writeFileSync(join(dir, "motd"), "crier test server\n");
  writeFileSync(join(dir, "inspircd.conf"), config(dir, port, opts.historyLines ?? 50, linkPort, opts.accountCaps));
  let proc: ChildProcess | undefined;
  const start = async () => {
    const child = spawn(BINARY, ["--runasroot", "--nofork", `--config=${join(dir, "inspircd.conf")}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    proc = child;
    try {
      await waitUntil(`InspIRCd on port ${port}`, () => probe(port), 15_000);
    } catch (err) {
      child.kill("SIGKILL");
      throw new Error(`${(err as Error).message}; its output: ${output.slice(-2000)}`);
    }
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await gone;
  };
  await start();
  const serverInput = () => (existsSync(join(dir, "ircd.log")) ? readFileSync(join(dir, "ircd.log"), "utf8") : "");
  return {
    port,
    linkPort,
    dir,
    serverInput,
    inputOf: (nick: string) => {
      const lines = serverInput()
        .split("\n")
        .map((l) => /USERINPUT: C\[(\w+)\] I (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => !!m);
      const uids = new Set(lines.filter((m) => m[2].toLowerCase() === `nick ${nick.toLowerCase()}`).map((m) => m[1]));
      return lines.filter((m) => uids.has(m[1])).map((m) => m[2]);
    },
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True once the server answers a registration with its welcome numeric. */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let buf = "";
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.on("error", () => done(false));
    sock.on("connect", () => sock.write(`NICK probe${Math.floor(Math.random() * 1e6)}\r\nUSER p 0 * :p\r\n`));
    sock.on("data", (d) => {
      buf += d;
      if (/ 001 /.test(buf)) {
        sock.write("QUIT\r\n");
        done(true);
      }
    });
  });
}

export function inspircdAvailable(): boolean {
  return !!BINARY && spawnSync(BINARY, ["--version"]).status === 0;
}
