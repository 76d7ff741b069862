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
  /** Files of a directory source that could not be read, each with the reason (reported to admins once). */
  problems?: Array<{ file: string; reason: string }>;
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

const CVSS3_WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/**
 * The base score of a CVSS 3.0/3.1 vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` → 9.8), by the formula
 * in FIRST's specification §7.1; undefined for other versions or a malformed vector. OSV records give severity
 * only as such a vector. Written here because installing a CVSS package into this project's shared
 * node_modules failed on the build machine; the formula is short and fixed by the standard.
 */
export function cvss3BaseScore(vector: string): number | undefined {
  const m = /^CVSS:3\.[01]\/(.*)$/.exec(vector.trim());
  if (!m || m[1].length > 200) return undefined;
  const v: Record<string, string> = {};
  for (const part of m[1].split("/")) {
    const [k, x] = part.split(":");
    if (k && x) v[k] = x;
  }
  const scope = v.S === "C" ? "C" : v.S === "U" ? "U" : undefined;
  const pr = { N: 0.85, L: scope === "C" ? 0.68 : 0.62, H: scope === "C" ? 0.5 : 0.27 }[v.PR ?? ""];
  const w = (k: string) => CVSS3_WEIGHTS[k][v[k] ?? ""];
  const parts = [w("AV"), w("AC"), w("UI"), w("C"), w("I"), w("A"), pr];
  if (!scope || parts.some((x) => x === undefined)) return undefined;
  const [av, ac, ui, c, i, a] = parts as number[];
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === "U" ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * (pr as number) * ui;
  if (impact <= 0) return 0;
  const raw = scope === "U" ? Math.min(impact + exploitability, 10) : Math.min(1.08 * (impact + exploitability), 10);
  // Round up to one decimal as the specification's Roundup does (integer arithmetic avoids 4.000000001 → 4.1).
  const int = Math.round(raw * 100_000);
  return int % 10_000 === 0 ? int / 100_000 : (Math.floor(int / 10_000) + 1) / 10;
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
