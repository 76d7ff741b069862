/** The few lines a person sees when crier starts on a terminal or a console account: what runs, and where to look. */
import type { Config } from "../config/schema.js";

export interface BannerFacts {
  version: string;
  configFile: string;
  config: Config;
  stateDir: string;
  /** The web server's address when it runs (the bound port, which may differ from a configured 0). */
  webUrl?: string;
}

export function banner(f: BannerFacts): string {
  const { config } = f;
  const lines = [`crier ${f.version} — running ${f.configFile}`];
  const accounts = Object.keys(config.accounts);
  lines.push(`  accounts: ${accounts.length ? accounts.join(", ") : "none"}`);
  for (const link of config.links)
    lines.push(`  link ${link.name}: ${link.rooms.map((r) => `${r.account}/${r.room}`).join(" ⇄ ")}`);
  if (config.meetings.length) lines.push(`  meetings: ${config.meetings.map((m) => m.title).join(", ")}`);
  if (f.webUrl) lines.push(`  web: ${f.webUrl}`);
  lines.push(`  state: ${f.stateDir}`);
  const prefix = config.commands.prefix;
  if (accounts.includes("console") || accounts.some((a) => a.startsWith("console.")))
    lines.push(`Type ${prefix}help for commands, /help for console keys (/room NAME switches rooms). Ctrl-C stops.`);
  else lines.push(`Say ${prefix}help in a room crier is in. Ctrl-C stops.`);
  return `${lines.join("\n")}\n`;
}

/** The URL to print for a listening address (an any-address bind is reached on the loopback). */
export function webUrlOf(host: string, port: number, publicUrl?: string): string {
  if (publicUrl) return `${publicUrl.replace(/\/$/, "")}/ (listening on ${host}:${port})`;
  const h = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${h}:${port}/`;
}
