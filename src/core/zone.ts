import { IANAZone } from "luxon";

/** True for a zone name the runtime's tz database knows (IANA names and fixed `Etc/…`/`UTC`). */
export const isValidZone = (z: string): boolean => typeof z === "string" && z.length < 64 && IANAZone.isValidZone(z);
