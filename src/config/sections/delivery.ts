import { z } from "zod";

/** How the outbox delivers: rooms served in parallel per account, and when a room that keeps failing is parked. */
export const deliverySchema = z
  .strictObject({
    /** Rooms of one account served at the same time (each room stays in order). */
    roomsInParallel: z.number().int().min(1).max(64).default(4),
    /** A room whose sends keep failing is parked after this many attempts of one message… */
    parkAfterAttempts: z.number().int().min(1).max(10_000).default(8),
    /** …and once it has been failing for at least this long (so a short outage never parks anything). */
    parkAfter: z
      .string()
      .regex(/^\d+[smh]$/, "a duration like 10m")
      .default("10m"),
    /** Consecutive relayed messages of one sender are combined into one platform message (where the platform
     * shows that naturally) once a room has at least this many waiting. */
    combineAfter: z.number().int().min(2).max(10_000).default(3),
  })
  .default({ roomsInParallel: 4, parkAfterAttempts: 8, parkAfter: "10m", combineAfter: 3 });

export type DeliveryConfig = z.infer<typeof deliverySchema>;
