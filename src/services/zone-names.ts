/**
 * Turning what people type into IANA zones: zone names, city names (accents and case ignored), UTC offsets, and
 * abbreviations — which are ambiguous or misleading (CST, IST, BST name several zones; "EST" in the tz database is a
 * fixed −05:00 with no DST), so they are answered with candidates and never silently picked as a zone.
 */
import { DateTime, IANAZone } from "luxon";
import { abbreviation, offsetLabel } from "./world-time.js";

/** Intl lists some zones under their old names; people type the current ones. */
const MODERN: Record<string, string> = {
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Europe/Kiev": "Europe/Kyiv",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Asia/Rangoon": "Asia/Yangon",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "America/Godthab": "America/Nuuk",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

/** Cities people name that are not the name of their zone. */
const EXTRA_CITIES: Record<string, string> = {
  "san francisco": "America/Los_Angeles",
  seattle: "America/Los_Angeles",
  "silicon valley": "America/Los_Angeles",
  washington: "America/New_York",
  boston: "America/New_York",
  miami: "America/New_York",
  atlanta: "America/New_York",
  dallas: "America/Chicago",
  houston: "America/Chicago",
  austin: "America/Chicago",
  munich: "Europe/Berlin",
  frankfurt: "Europe/Berlin",
  hamburg: "Europe/Berlin",
  cologne: "Europe/Berlin",
  munchen: "Europe/Berlin",
  geneva: "Europe/Zurich",
  barcelona: "Europe/Madrid",
  milan: "Europe/Rome",
  "st petersburg": "Europe/Moscow",
  "saint petersburg": "Europe/Moscow",
  kiev: "Europe/Kyiv",
  mumbai: "Asia/Kolkata",
  bombay: "Asia/Kolkata",
  delhi: "Asia/Kolkata",
  "new delhi": "Asia/Kolkata",
  bangalore: "Asia/Kolkata",
  bengaluru: "Asia/Kolkata",
  chennai: "Asia/Kolkata",
  beijing: "Asia/Shanghai",
  shenzhen: "Asia/Shanghai",
  osaka: "Asia/Tokyo",
  kyoto: "Asia/Tokyo",
  "rio de janeiro": "America/Sao_Paulo",
  rio: "America/Sao_Paulo",
  "buenos aires": "America/Argentina/Buenos_Aires",
  canberra: "Australia/Sydney",
  wellington: "Pacific/Auckland",
  "ho chi minh city": "Asia/Ho_Chi_Minh",
  saigon: "Asia/Ho_Chi_Minh",
  "mexico city": "America/Mexico_City",
};

export interface AbbreviationMeaning {
  zone: string;
  /** What the abbreviation means there, e.g. "US Central". */
  label: string;
  /** The fixed offset the abbreviation itself denotes, in minutes. */
  offsetMinutes: number;
}

/** Common abbreviations: the first meaning is the one assumed in conversions, and said so. */
export const ABBREVIATIONS: Record<string, AbbreviationMeaning[]> = {
  CET: [{ zone: "Europe/Berlin", label: "Central European (standard)", offsetMinutes: 60 }],
  CEST: [{ zone: "Europe/Berlin", label: "Central European summer", offsetMinutes: 120 }],
  WET: [{ zone: "Europe/Lisbon", label: "Western European (standard)", offsetMinutes: 0 }],
  WEST: [{ zone: "Europe/Lisbon", label: "Western European summer", offsetMinutes: 60 }],
  EET: [{ zone: "Europe/Helsinki", label: "Eastern European (standard)", offsetMinutes: 120 }],
  EEST: [{ zone: "Europe/Helsinki", label: "Eastern European summer", offsetMinutes: 180 }],
  BST: [
    { zone: "Europe/London", label: "British Summer Time", offsetMinutes: 60 },
    { zone: "Asia/Dhaka", label: "Bangladesh", offsetMinutes: 360 },
  ],
  IST: [
    { zone: "Asia/Kolkata", label: "India", offsetMinutes: 330 },
    { zone: "Europe/Dublin", label: "Irish summer", offsetMinutes: 60 },
    { zone: "Asia/Jerusalem", label: "Israel", offsetMinutes: 120 },
  ],
  CST: [
    { zone: "America/Chicago", label: "US Central (standard)", offsetMinutes: -360 },
    { zone: "Asia/Shanghai", label: "China", offsetMinutes: 480 },
    { zone: "America/Havana", label: "Cuba (standard)", offsetMinutes: -300 },
  ],
  CDT: [{ zone: "America/Chicago", label: "US Central daylight", offsetMinutes: -300 }],
  EST: [{ zone: "America/New_York", label: "US Eastern (standard)", offsetMinutes: -300 }],
  EDT: [{ zone: "America/New_York", label: "US Eastern daylight", offsetMinutes: -240 }],
  MST: [{ zone: "America/Denver", label: "US Mountain (standard)", offsetMinutes: -420 }],
  MDT: [{ zone: "America/Denver", label: "US Mountain daylight", offsetMinutes: -360 }],
  PST: [{ zone: "America/Los_Angeles", label: "US Pacific (standard)", offsetMinutes: -480 }],
  PDT: [{ zone: "America/Los_Angeles", label: "US Pacific daylight", offsetMinutes: -420 }],
  AKST: [{ zone: "America/Anchorage", label: "Alaska (standard)", offsetMinutes: -540 }],
  HST: [{ zone: "Pacific/Honolulu", label: "Hawaii", offsetMinutes: -600 }],
  JST: [{ zone: "Asia/Tokyo", label: "Japan", offsetMinutes: 540 }],
  KST: [{ zone: "Asia/Seoul", label: "Korea", offsetMinutes: 540 }],
  AEST: [{ zone: "Australia/Sydney", label: "Australian Eastern (standard)", offsetMinutes: 600 }],
  AEDT: [{ zone: "Australia/Sydney", label: "Australian Eastern daylight", offsetMinutes: 660 }],
  NZST: [{ zone: "Pacific/Auckland", label: "New Zealand (standard)", offsetMinutes: 720 }],
  NZDT: [{ zone: "Pacific/Auckland", label: "New Zealand daylight", offsetMinutes: 780 }],
  MSK: [{ zone: "Europe/Moscow", label: "Moscow", offsetMinutes: 180 }],
};

const fold = (s: string): string =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[_\s]+/g, " ")
    .trim();

let zonesCache: string[] | undefined;
let citiesCache: Map<string, string> | undefined;

/** Every IANA zone the runtime knows, under current names, plus UTC. */
export function allZones(): string[] {
  if (!zonesCache) {
    const names = new Set<string>(["UTC"]);
    for (const z of Intl.supportedValuesOf("timeZone")) {
      const modern = MODERN[z];
      names.add(modern && IANAZone.isValidZone(modern) ? modern : z);
    }
    zonesCache = [...names].sort();
  }
  return zonesCache;
}

/** Folded city name → zone: the last part of every zone name, plus well-known cities. */
export function cityIndex(): Map<string, string> {
  if (!citiesCache) {
    citiesCache = new Map();
    for (const z of allZones()) {
      if (!z.includes("/")) continue;
      const city = fold(z.slice(z.lastIndexOf("/") + 1));
      if (!citiesCache.has(city)) citiesCache.set(city, z);
    }
    for (const [city, zone] of Object.entries(EXTRA_CITIES)) citiesCache.set(fold(city), zone);
  }
  return citiesCache;
}

export type ZoneResolution =
  | { kind: "zone"; zone: string; note?: string }
  | { kind: "ambiguous"; input: string; candidates: Array<{ zone: string; label: string; now: string }> };

/** `UTC+2`, `GMT-03:30`, `+05:45` → minutes east of UTC, or undefined. */
export function parseOffset(input: string): number | undefined {
  const m = /^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(input.trim());
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === "+" ? 1 : -1) * (hours * 60 + minutes);
}

/** A fixed-offset zone: whole hours map to `Etc/GMT∓h` (whose sign is inverted by POSIX), others to `UTC±hh:mm`. */
export function offsetZone(minutes: number): string {
  if (minutes === 0) return "UTC";
  if (minutes % 60 === 0) return `Etc/GMT${minutes > 0 ? "-" : "+"}${Math.abs(minutes / 60)}`;
  const sign = minutes > 0 ? "+" : "-";
  const a = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

function describeNow(zone: string, now: number): string {
  const dt = DateTime.fromMillis(now, { zone });
  const abbr = abbreviation(now, zone);
  const offset = offsetLabel(dt.offset);
  return `${dt.toFormat("HH:mm")} ${abbr}${abbr === offset ? "" : ` (${offset})`}`;
}

/**
 * What a person means by a zone they typed. IANA names and cities resolve; offsets resolve to a fixed zone with a
 * note that it has no DST; abbreviations come back as candidates with their current meaning.
 */
export function resolveZoneName(input: string, now = Date.now()): ZoneResolution | undefined {
  const raw = input.trim();
  if (!raw || raw.length > 64) return undefined;
  const upper = raw.toUpperCase();
  if (upper === "UTC" || upper === "GMT" || upper === "Z" || upper === "ZULU") return { kind: "zone", zone: "UTC" };
  const abbr = ABBREVIATIONS[upper];
  if (abbr) {
    const candidates = abbr.map((a) => ({
      zone: a.zone,
      label: `${upper} as ${a.label}`,
      now: describeNow(a.zone, now),
    }));
    const fixed = offsetZone(abbr[0].offsetMinutes);
    candidates.push({
      zone: fixed,
      label: `exactly UTC${formatOffset(abbr[0].offsetMinutes)} all year (no daylight saving)`,
      now: describeNow(fixed, now),
    });
    return { kind: "ambiguous", input: upper, candidates };
  }
  const offset = parseOffset(raw);
  if (offset !== undefined) {
    return {
      kind: "zone",
      zone: offsetZone(offset),
      note: `a fixed offset (UTC${formatOffset(offset)}) never changes for daylight saving; a city or zone name does`,
    };
  }
  if (raw.includes("/")) {
    const exact = allZones().find((z) => z.toLowerCase() === raw.toLowerCase());
    if (exact) return { kind: "zone", zone: exact };
    if (IANAZone.isValidZone(raw)) return { kind: "zone", zone: MODERN[raw] ?? raw };
    return undefined;
  }
  const city = cityIndex().get(fold(raw));
  return city ? { kind: "zone", zone: city } : undefined;
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "−" : "+";
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/** Autocomplete over zone and city names (Discord `/tz set`): prefix matches first, then substring matches. */
export function suggestZones(prefix: string, limit = 25): string[] {
  const q = fold(prefix);
  if (!q)
    return [
      "UTC",
      "Europe/London",
      "Europe/Berlin",
      "America/New_York",
      "America/Los_Angeles",
      "Asia/Kolkata",
      "Asia/Tokyo",
    ].slice(0, limit);
  const starts: string[] = [];
  const contains: string[] = [];
  const push = (list: string[], v: string) => {
    if (!starts.includes(v) && !contains.includes(v)) list.push(v);
  };
  for (const z of allZones()) {
    const f = fold(z);
    const city = f.slice(f.lastIndexOf("/") + 1);
    if (f.startsWith(q) || city.startsWith(q)) push(starts, z);
    else if (f.includes(q)) push(contains, z);
  }
  for (const [city, zone] of cityIndex()) if (city.startsWith(q)) push(starts, zone);
  return [...starts, ...contains].slice(0, limit);
}
