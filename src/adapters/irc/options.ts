/** irc-framework connection options from crier's config, and the answers to the CTCP queries crier accepts. */
import { readFileSync } from "node:fs";
import type { IrcConfig } from "./config.js";
import { cleanText, encodeLines } from "./encoder.js";

export function clientOptions(c: IrcConfig): Record<string, unknown> {
  const options: Record<string, unknown> = {
    host: c.host,
    port: c.port,
    tls: c.tls,
    nick: c.nick,
    username: c.username ?? c.nick,
    gecos: c.realname,
    password: c.password,
    // crier reconnects by itself, forever; irc-framework would give up after a few tries.
    auto_reconnect: false,
    enable_echomessage: true,
    // CTCP VERSION is answered by crier (rate-limited), not by irc-framework.
    version: "",
    ping_interval: 30,
    ping_timeout: 120,
  };
  if (c.sasl?.mechanism === "EXTERNAL" && c.clientCert) {
    options.sasl_mechanism = "EXTERNAL";
    options.client_certificate = {
      certificate: readFileSync(c.clientCert.cert, "utf8"),
      private_key: readFileSync(c.clientCert.key, "utf8"),
    };
  } else if (c.sasl) {
    options.account = { account: c.sasl.account ?? c.nick, password: c.sasl.password ?? "" };
  }
  return options;
}

/** NOTICE lines answering CTCP VERSION, PING or TIME; nothing for any other CTCP or an unsafe nick. */
export function ctcpReply(
  e: { type?: unknown; nick?: unknown; message?: unknown },
  ownNick: string,
  now: number,
): string[] {
  const type = String(e.type ?? "").toUpperCase();
  if (!["VERSION", "PING", "TIME"].includes(type) || !e.nick) return [];
  const arg =
    type === "VERSION"
      ? "crier (https://github.com/crier)"
      : type === "TIME"
        ? new Date(now).toUTCString()
        : cleanText(String(e.message ?? "").slice(5, 64));
  try {
    return encodeLines({ command: "NOTICE", target: String(e.nick), text: arg, ctcp: type }, ownNick);
  } catch {
    return [];
  }
}
