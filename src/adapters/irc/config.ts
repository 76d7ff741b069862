import { z } from "zod";

export const ircConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(6697),
  tls: z.boolean().default(true),
  nick: z.string().min(1).max(30),
  altNick: z.string().optional(),
  username: z.string().optional(),
  realname: z.string().default("crier bridge bot"),
  password: z.string().optional(),
  sasl: z
    .strictObject({
      mechanism: z.enum(["PLAIN", "EXTERNAL"]).default("PLAIN"),
      account: z.string().optional(),
      password: z.string().optional(),
    })
    .optional(),
  /** Client certificate for SASL EXTERNAL (PEM file paths). */
  clientCert: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
  channels: z
    .array(z.string().regex(/^[#&][^\s,\x07]+$/, "a channel name like #kamailio (no spaces or commas)"))
    .default([]),
  /** Bot answers as NOTICE (the convention) or PRIVMSG. */
  replyAs: z.enum(["notice", "privmsg"]).default("notice"),
  /** Token bucket: burst lines, then one line per `lineInterval` ms. */
  burst: z.number().int().min(1).default(4),
  lineIntervalMs: z.number().int().min(20).default(1000),
  /** Above this many lines of text, or twice as many IRC lines (one huge line), a relayed message becomes an excerpt plus a link. */
  maxLinesPerMessage: z.number().int().min(1).default(5),
  formatting: z.enum(["irc", "plain"]).default("irc"),
  /**
   * Count a nick as an identity when its user has no services account (a private server without services).
   * Off by default: then only services accounts are identities, so taking an admin's nick gives nothing.
   */
  trustNicks: z.boolean().default(false),
  /** Code in IRC's monospace code (\x11) instead of backticks; many clients (irssi) show \x11 as a reverse "Q". */
  monospace: z.boolean().default(false),
  /** How often to try to take back the configured nick while using the alternate. */
  regainEverySec: z.number().int().min(1).default(30),
});

export type IrcConfig = z.infer<typeof ircConfigSchema>;
