/**
 * irssi 1.4, a real terminal IRC client, run in a detached tmux session with its default settings (only its home
 * directory is a temporary one), so a test can type into it and read its screen as its user would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "./ports.js";

const need = (bin: string) => {
  if (spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0)
    throw new Error(`${bin} is not installed: run \`bash scripts/testbed-install.sh\` (installs irssi and tmux)`);
};

export class Irssi {
  private readonly session = `crier-irssi-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  private readonly home = mkdtempSync(join(tmpdir(), "crier-irssi-"));

  constructor(
    readonly nick: string,
    private readonly port: number,
  ) {}

  start(): void {
    need("irssi");
    need("tmux");
    const irssi = `irssi --home=${this.home} -c 127.0.0.1 -p ${this.port} -n ${this.nick}`;
    execFileSync("tmux", ["new-session", "-d", "-s", this.session, "-x", "200", "-y", "60", irssi], {
      env: { ...process.env, TERM: "xterm-256color" },
    });
  }

  /** Types a line and presses Enter. */
  type(line: string): void {
    execFileSync("tmux", ["send-keys", "-t", this.session, "-l", line]);
    execFileSync("tmux", ["send-keys", "-t", this.session, "Enter"]);
  }

  /** What the terminal shows, with its scrollback. */
  screen(): string {
    return execFileSync("tmux", ["capture-pane", "-p", "-J", "-S", "-500", "-t", this.session], { encoding: "utf8" });
  }

  async waitScreen(what: string, re: RegExp, ms = 20_000): Promise<string> {
    let shown = "";
    await waitUntil(
      `irssi to show ${what}`,
      () => {
        shown = this.screen();
        return re.test(shown);
      },
      ms,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its screen ends with:\n${shown.trimEnd().split("\n").slice(-10).join("\n")}`);
    });
    return shown;
  }

  stop(): void {
    spawnSync("tmux", ["kill-session", "-t", this.session]);
    rmSync(this.home, { recursive: true, force: true });
  }
}
