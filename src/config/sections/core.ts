import { z } from "zod";
import { parseDuration } from "../../core/duration.js";

export const storeSchema = z
  .strictObject({
    kind: z.enum(["sqlite", "postgres"]).default("sqlite"),
    /** SQLite file, relative to the state directory. */
    file: z.string().default("crier.db"),
    /** PostgreSQL connection URL (use ${ENV} for the password). */
    url: z.string().optional(),
    schema: z.string().regex(/^\w+$/).optional(),
    /** PostgreSQL: this instance's name as the lease holder (`!status`, /healthz); default host:pid. */
    instance: z.string().min(1).max(100).optional(),
    /**
     * PostgreSQL: how long the active instance's lease lasts unrenewed (renewed every third of it); a standby takes
     * over at most about this long after the active one dies or is paused. 3s to 5m.
     */
    leaseTtl: z
      .string()
      .refine((v) => (parseDuration(v) ?? 0) >= 3_000 && (parseDuration(v) ?? 0) <= 300_000, {
        message: "store.leaseTtl must be a duration from 3s to 5m, like 10s",
      })
      .optional(),
  })
  .refine((s) => s.kind !== "postgres" || !!s.url, { message: "store.kind postgres needs store.url", path: ["url"] })
  .default({ kind: "sqlite", file: "crier.db" });

export const httpSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(8080),
    /** URL people reach the server at (links in chat use it). */
    publicUrl: z.string().url().optional(),
  })
  .default({ enabled: false, host: "127.0.0.1", port: 8080 });

export const logSchema = z
  .strictObject({
    /** Unset: `warn` on a terminal (readable lines, so the console stays usable), `info` otherwise (JSON lines). */
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  })
  .default({});

export const commandsSchema = z
  .strictObject({
    /** Prefix for text commands on every platform. */
    prefix: z.string().min(1).max(3).default("!"),
    /** Per-user command budget: this many commands per minute, then a polite refusal. */
    perUserPerMinute: z.number().int().min(1).default(20),
    perRoomPerMinute: z.number().int().min(1).default(60),
    /** Bot answers on IRC as NOTICE (the convention) or PRIVMSG. */
    organisers: z.array(z.string()).default([]),
  })
  .default({ prefix: "!", perUserPerMinute: 20, perRoomPerMinute: 60, organisers: [] });

/** An identity string: `<account>:<native id>`, e.g. `irc.libera:alice` or `matrix.main:@alice:example.org`. */
export const identitySchema = z
  .string()
  .regex(/^[a-z]+(\.[\w-]+)?:.+$/, "expected <account>:<native id>, e.g. irc.libera:alice")
  .refine((s) => !s.slice(s.indexOf(":") + 1).startsWith("~"), {
    message: "a ~nick id is a nick without a services account and can never be an admin: write the account name",
  });
