import { z } from "zod";

export const consoleConfigSchema = z
  .strictObject({
    /** Name of the person typing at the console. */
    user: z.string().min(1).default("you"),
    /** Rooms this console account pretends to sit in; lines typed go to the first. */
    rooms: z.array(z.string().min(1)).default(["console"]),
    /** The person at the console is the operator, so an admin by default. */
    admin: z.boolean().default(true),
  })
  .default({ user: "you", rooms: ["console"], admin: true });

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
