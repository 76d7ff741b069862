import { z } from "zod";
import { parseDuration } from "../../core/duration.js";

export const discordConfigSchema = z.strictObject({
  token: z.string().min(1),
  /** Override of the API base (tests point it at the fake Discord). */
  api: z.string().url().optional(),
  guild: z.string().regex(/^\d+$/, "a numeric guild id").optional(),
  channels: z.array(z.string().regex(/^\d+$/, "a numeric channel id")).default([]),
  /** Role ids whose members may run admin commands. */
  adminRoles: z.array(z.string()).default([]),
  useWebhooks: z.boolean().default(true),
  slashCommands: z.boolean().default(true),
  /** How long the back-fill after a reconnect may read history; what it could not reach is reported as a gap. */
  backfillLimit: z
    .string()
    .refine((v) => parseDuration(v) !== undefined, "a duration such as 2m or 90s")
    .default("2m"),
});

export type DiscordConfig = z.infer<typeof discordConfigSchema>;
