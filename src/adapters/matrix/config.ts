import { z } from "zod";

/** A Matrix localpart crier itself chooses (the bridge bot, the ghosts' prefix): lower-case, per the user-id grammar. */
const localpartish = z.string().regex(/^[a-z0-9._=\-/]+$/, "lower-case letters, digits and . _ = - / only");

/**
 * Application-service mode: the homeserver pushes events to crier (PUT /transactions) on its own listener, and
 * each IRC or Discord person is a Matrix user of crier's ("ghost"). `crier appservice-registration` writes the
 * registration file the homeserver loads.
 */
export const appserviceSchema = z.strictObject({
  /** Where crier listens for the homeserver's pushes: its own listener, apart from crier's public web server. */
  bindAddress: z.string().default("127.0.0.1"),
  port: z.number().int().min(1).max(65_535),
  /** The homeserver's server name: what follows the `:` in its users' ids (`example.org` in `@alice:example.org`). */
  serverName: z.string().regex(/^[\w.:[\]-]+$/, "a server name such as example.org"),
  /** The URL the homeserver reaches that listener at (default: http://bindAddress:port). */
  url: z.string().url().optional(),
  /** The registration file (YAML) crier writes and the homeserver's `app_service_config_files` names. */
  registration: z.string().min(1),
  /** The application service's id in the registration. */
  id: z
    .string()
    .regex(/^[\w.-]+$/, "letters, digits, . _ -")
    .default("crier"),
  /** Ghosts are `@<userPrefix>irc_<account>_<nick>`, `@<userPrefix>discord_<id>`…; the namespace is exclusive. */
  userPrefix: localpartish.default("crier_"),
  /** The bridge bot's own localpart (sender_localpart): crier's answers and notices come from it. */
  botLocalpart: localpartish.default("crier"),
});

export type AppserviceConfig = z.infer<typeof appserviceSchema>;

export const matrixConfigSchema = z
  .strictObject({
    /** `bot`: crier is one Matrix user (a token or a password). `appservice`: an application service (see appservice). */
    mode: z.enum(["bot", "appservice"]).default("bot"),
    homeserver: z.string().url(),
    accessToken: z.string().optional(),
    userId: z.string().optional(),
    password: z.string().optional(),
    appservice: appserviceSchema.optional(),
    rooms: z
      // Room ids from room version 12 on have no server part (`!abc…`); aliases always do.
      .array(z.string().regex(/^(![^\s]+|#[^\s:]+:\S+)$/, "a room id (!abc:example.org) or alias (#room:example.org)"))
      .default([]),
    /** Power level from which a user may run admin commands. */
    adminPowerLevel: z.number().int().default(50),
    relayNotices: z.boolean().default(false),
    /** How a relayed sender is shown; {name} is the display name. */
    senderTemplate: z.string().default("<b>{name}</b>: "),
    /** How far back to back-fill after downtime. */
    backfillWindow: z.string().default("6h"),
    /** Most events fetched per room when back-filling after downtime. */
    backfillMaxEvents: z.number().int().positive().default(1000),
    /** Long-poll timeout of /sync; shorter means a quicker stop. */
    syncTimeoutMs: z.number().int().positive().default(30_000),
    /** Said (as the leave reason) when someone who is not an admin invites crier. */
    inviteDeclineReason: z.string().default("crier only joins rooms at the invitation of its administrators."),
    /** Base URL people can open for Matrix media when the homeserver requires authentication (crier's web server). */
    mediaPublicUrl: z.string().url().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mode === "bot") {
      if (c.appservice)
        ctx.addIssue({
          code: "custom",
          path: ["appservice"],
          message: "appservice is only read with mode: appservice",
        });
      if (!c.accessToken && !(c.userId && c.password))
        ctx.addIssue({ code: "custom", path: [], message: "give accessToken, or userId and password" });
      return;
    }
    if (!c.appservice)
      ctx.addIssue({
        code: "custom",
        path: ["appservice"],
        message:
          "mode: appservice needs appservice: { serverName, port, registration } (see README, Matrix: bot or application service)",
      });
    for (const key of ["accessToken", "userId", "password"] as const)
      if (c[key] !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} is not used in appservice mode: crier acts with the registration's as_token`,
        });
  });

export type MatrixConfig = z.infer<typeof matrixConfigSchema>;
