/** What every advisory source yields, whatever its format. */
export type Severity = "low" | "medium" | "high" | "critical";

export interface Advisory {
  /** The source's own id for the record (feed guid, OSV id, GHSA id, file name). */
  id: string;
  /** Every vulnerability id the record names: CVE, GHSA, OSV ids; also the link, for records without one. */
  aliases: string[];
  title: string;
  url?: string;
  severity?: Severity;
  published?: number;
  modified?: number;
  withdrawn?: boolean;
  packages: string[];
  affected?: string;
  fixed?: string;
}

export interface FetchState {
  etag?: string;
  lastModified?: string;
}

export interface SourceResult {
  advisories: Advisory[];
  /** 304: nothing changed since the last poll. */
  notModified?: boolean;
  state?: FetchState;
}

/** One kind of source. CVE or CSAF sources are one more file implementing this. */
export interface AdvisorySource {
  poll(state: FetchState): Promise<SourceResult>;
}

export const SEVERITY_RANK: Record<string, number> = { none: 0, low: 1, medium: 2, moderate: 2, high: 3, critical: 4 };

export function normaliseSeverity(s: unknown): Severity | undefined {
  const v = String(s ?? "").toLowerCase();
  if (v === "moderate") return "medium";
  return (["low", "medium", "high", "critical"] as const).find((x) => x === v);
}

/** CVSS base score → severity band. */
export function severityFromScore(score: number): Severity | undefined {
  if (!Number.isFinite(score) || score <= 0) return undefined;
  return score >= 9 ? "critical" : score >= 7 ? "high" : score >= 4 ? "medium" : "low";
}

/** CVE and GHSA ids mentioned in free text ("Kamailio CVE-2020-28361 fix"), upper-cased, unique. */
export function idsInText(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\bCVE-\d{4}-\d{4,7}\b/gi)) out.add(m[0].toUpperCase());
  for (const m of text.matchAll(/\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b/gi))
    out.add(`GHSA${m[0].slice(4).toLowerCase()}`);
  return [...out];
}

export const parseTime = (v: unknown): number | undefined => {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? t : undefined;
};

/** A parsed JSON or XML document from a remote source: untyped until read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: remote documents have no static shape; every field is checked on use.
export type Doc = Record<string, any>;
