import { z } from "zod";

export const consoleConfigSchema = z
  .strictObject({
    /** Name of the person typing at the console. */
    user: z.string().min(1).default("you"),
    /** Rooms this console account pretends to sit in; lines typed go to the first until `/room NAME` switches. */
    rooms: z.array(z.string().min(1).max(100)).min(1).max(50).default(["console"]),
    /** The person at the console is the operator, so an admin by default. */
    admin: z.boolean().default(true),
    /** Whether the console person's commands count against `commands.perUserPerMinute` (not by default). */
    rateLimited: z.boolean().default(false),
    /** Lines typed for the console person at the first start on a state directory (demos), in the first room. */
    firstRun: z.array(z.string().min(1).max(4000)).max(20).default([]),
  })
  .default({ user: "you", rooms: ["console"], admin: true, rateLimited: false, firstRun: [] });

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
