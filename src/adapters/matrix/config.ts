import { z } from "zod";

export const matrixConfigSchema = z
  .strictObject({
    homeserver: z.string().url(),
    accessToken: z.string().optional(),
    userId: z.string().optional(),
    password: z.string().optional(),
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
  .refine((c) => !!c.accessToken || (!!c.userId && !!c.password), {
    message: "give accessToken, or userId and password",
  });

export type MatrixConfig = z.infer<typeof matrixConfigSchema>;
