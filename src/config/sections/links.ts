import { z } from "zod";
import { parseDuration } from "../../core/duration.js";

export const linkRoomSchema = z.strictObject({
  account: z.string().min(1),
  room: z.string().min(1),
  /** inout: both ways; in: only into this room; out: only from this room. */
  direction: z.enum(["inout", "in", "out"]).default("inout"),
});

export const linkSchema = z.strictObject({
  name: z.string().regex(/^[\w-]+$/, "letters, digits, - and _ only"),
  rooms: z.array(linkRoomSchema).min(2, "a link needs at least two rooms"),
  /** Relay joins, parts, nick changes and topics. */
  membership: z.boolean().default(false),
  /** Senders never relayed (other bridges, bots): identity strings or nick patterns. */
  ignore: z.array(z.string()).default([]),
  paused: z.boolean().default(false),
  /** crier's public answers to commands said in a room of this link go to every room of it (default true). */
  answersEverywhere: z.boolean().optional(),
  /**
   * Where a platform can neither delete a relayed copy nor show a reaction (IRC), say it in a line instead:
   * "(alice deleted a message)", "alice reacted 👍 to ‹excerpt›". Off by default (it is noise to many rooms).
   */
  describeChanges: z.boolean().optional(),
  /**
   * How much of a paced room's time (IRC: one line per interval) a flood may queue before the rest is folded
   * into one line per sender with a link to the first folded message (default 30s; `off` relays everything).
   */
  floodBacklog: z
    .string()
    .refine((v) => v === "off" || parseDuration(v) !== undefined, "a duration such as 30s, or off")
    .optional(),
});

export const linksSchema = z.array(linkSchema).default([]);
export type LinkConfig = z.infer<typeof linkSchema>;

export const relaySchema = z
  .strictObject({
    /** How long the message map remembers relayed messages (edits/replies to older ones are not mirrored). */
    retention: z
      .string()
      .regex(/^\d+[smhdw]$/, "a duration like 30d")
      .default("30d"),
    /** Relay notice-type messages (usually other bots). */
    relayNotices: z.boolean().default(false),
  })
  .default({ retention: "30d", relayNotices: false });
