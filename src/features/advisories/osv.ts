/** OSV records (https://ossf.github.io/osv-schema/): from a URL (one record, a list, or {vulns: […]}) or a directory. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { safeFetch } from "./http.js";
import {
  type Advisory,
  cvss3BaseScore,
  type Doc,
  type FetchState,
  normaliseSeverity,
  parseTime,
  type SourceResult,
  severityFromScore,
} from "./types.js";

const MAX_RECORDS = 5000;

/** The highest score among an OSV record's severity entries: a plain number or a CVSS 3 vector. */
function scoreOf(list: unknown): number {
  if (!Array.isArray(list)) return Number.NaN;
  const scores = list.slice(0, 10).map((s: Doc) => {
    const text = String(s?.score ?? "");
    return /^\d+(\.\d+)?$/.test(text) ? Number(text) : (cvss3BaseScore(text) ?? Number.NaN);
  });
  const known = scores.filter(Number.isFinite);
  return known.length ? Math.max(...known) : Number.NaN;
}

/** `introduced: "0"` is "every version": shown as "all versions before 5.6.6-1", never "from 0". */
function affectedText(introduced: string[], fixed: string[]): string | undefined {
  const from = introduced.filter((v) => v !== "0");
  if (introduced.length && !from.length)
    return fixed.length ? `all versions before ${fixed.join(", ")}` : "all versions";
  return from.length ? `from ${from.join(", ")}` : undefined;
}

export function fromOsv(r: Doc): Advisory {
  const aliases = [String(r.id), ...(Array.isArray(r.aliases) ? r.aliases.map(String) : [])].map((a) =>
    /^(cve|ghsa)-/i.test(a)
      ? a.toUpperCase().startsWith("CVE")
        ? a.toUpperCase()
        : `GHSA${a.slice(4).toLowerCase()}`
      : a,
  );
  const affected = Array.isArray(r.affected) ? r.affected : [];
  const packages = affected.map((a: Doc) => String(a.package?.name ?? "")).filter(Boolean);
  const events = affected.flatMap((a: Doc) =>
    Array.isArray(a.ranges) ? a.ranges.flatMap((x: Doc) => x.events ?? []) : [],
  );
  const introduced = events.map((e: Record<string, string>) => e.introduced).filter(Boolean);
  const fixed = events.map((e: Record<string, string>) => e.fixed).filter(Boolean);
  const severity =
    normaliseSeverity(r.database_specific?.severity) ??
    affected
      .map((a: Doc) => normaliseSeverity(a?.database_specific?.severity ?? a?.ecosystem_specific?.severity))
      .find(Boolean) ??
    severityFromScore(scoreOf(r.severity));
  const ref = Array.isArray(r.references)
    ? (r.references.find((x: Record<string, string>) => x.type === "ADVISORY") ?? r.references[0])?.url
    : undefined;
  return {
    id: String(r.id),
    aliases: [...new Set(aliases)],
    title: String(r.summary ?? r.details ?? r.id)
      .split("\n")[0]
      .slice(0, 300),
    url: ref,
    severity,
    published: parseTime(r.published),
    modified: parseTime(r.modified),
    withdrawn: !!r.withdrawn,
    packages,
    affected: affectedText(introduced, fixed),
    fixed: fixed.length ? fixed.join(", ") : undefined,
  };
}

export function parseOsvDocument(body: string): Advisory[] {
  const doc = JSON.parse(body) as unknown;
  const records = Array.isArray(doc)
    ? doc
    : Array.isArray((doc as Record<string, unknown>)?.vulns)
      ? ((doc as Record<string, unknown>).vulns as unknown[])
      : [doc];
  return records
    .slice(0, MAX_RECORDS)
    .filter((r): r is Doc => !!r && typeof r === "object" && "id" in r)
    .map(fromOsv);
}

export function osvUrlSource(
  url: string,
  opts: { maxBytes: number; timeoutMs?: number; allowRedirectHosts: string[] },
) {
  return {
    async poll(state: FetchState): Promise<SourceResult> {
      const res = await safeFetch(url, { ...opts, state });
      if (res.status === 304) return { advisories: [], notModified: true, state: res.state };
      return { advisories: parseOsvDocument(res.body), state: res.state };
    },
  };
}

/** Files in a directory (not recursive), newest first, bounded; each small enough to read whole. */
export async function readDirectory(
  dir: string,
  maxBytes: number,
  ext: RegExp,
  skipped: Array<{ file: string; reason: string }> = [],
): Promise<Array<{ name: string; body: string }>> {
  const names = (await readdir(dir))
    .filter((n) => ext.test(n))
    .sort()
    .slice(-MAX_RECORDS);
  const out: Array<{ name: string; body: string }> = [];
  for (const name of names) {
    const p = join(dir, name);
    const s = await stat(p);
    if (!s.isFile()) continue;
    if (s.size > maxBytes) skipped.push({ file: name, reason: `larger than ${maxBytes} bytes` });
    else out.push({ name, body: await readFile(p, "utf8") });
  }
  return out;
}
