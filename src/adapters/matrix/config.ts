import { z } from "zod";

export const matrixConfigSchema = z
  .strictObject({
    homeserver: z.string().url(),
    accessToken: z.string().optional(),
    userId: z.string().optional(),
    password: z.string().optional(),
    rooms: z
      .array(z.string().regex(/^[!#].+:.+$/, "a room id (!abc:example.org) or alias (#room:example.org)"))
      .default([]),
    /** Power level from which a user may run admin commands. */
    adminPowerLevel: z.number().int().default(50),
    relayNotices: z.boolean().default(false),
    /** How a relayed sender is shown; {name} is the display name. */
    senderTemplate: z.string().default("<b>{name}</b>: "),
    /** How far back to back-fill after downtime. */
    backfillWindow: z.string().default("6h"),
  })
  .refine((c) => !!c.accessToken || (!!c.userId && !!c.password), {
    message: "give accessToken, or userId and password",
  });

export type MatrixConfig = z.infer<typeof matrixConfigSchema>;
