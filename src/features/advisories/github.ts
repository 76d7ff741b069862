/** GitHub Security Advisories of one repository (REST), published ones only. */
import { safeFetch } from "./http.js";
import { type Advisory, type Doc, type FetchState, normaliseSeverity, parseTime, type SourceResult } from "./types.js";

export function fromGhsa(r: Doc): Advisory {
  const vulns = Array.isArray(r.vulnerabilities) ? r.vulnerabilities : [];
  const aliases = [r.ghsa_id, r.cve_id]
    .filter(Boolean)
    .map((a: string) => (a.toUpperCase().startsWith("CVE") ? a.toUpperCase() : `GHSA${a.slice(4).toLowerCase()}`));
  return {
    id: String(r.ghsa_id),
    aliases,
    title: String(r.summary ?? r.ghsa_id).slice(0, 300),
    url: r.html_url,
    severity: normaliseSeverity(r.severity),
    published: parseTime(r.published_at),
    modified: parseTime(r.updated_at),
    withdrawn: !!r.withdrawn_at,
    packages: vulns.map((v: Doc) => String(v.package?.name ?? "")).filter(Boolean),
    affected:
      vulns
        .map((v: Doc) => v.vulnerable_version_range)
        .filter(Boolean)
        .join("; ") || undefined,
    fixed:
      vulns
        .map((v: Doc) => v.patched_versions)
        .filter(Boolean)
        .join("; ") || undefined,
  };
}

export function githubSource(
  repo: string,
  opts: { api?: string; token?: string; maxBytes: number; timeoutMs?: number },
) {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new Error(`"${repo}" is not owner/name`);
  const api = (opts.api ?? "https://api.github.com").replace(/\/$/, "");
  return {
    async poll(state: FetchState): Promise<SourceResult> {
      const headers: Record<string, string> = {
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
      };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await safeFetch(`${api}/repos/${repo}/security-advisories?state=published&per_page=100`, {
        maxBytes: opts.maxBytes,
        timeoutMs: opts.timeoutMs,
        headers,
        state,
      });
      if (res.status === 304) return { advisories: [], notModified: true, state: res.state };
      const list = JSON.parse(res.body) as unknown;
      if (!Array.isArray(list)) throw new Error("GitHub answered something that is not a list of advisories");
      return {
        advisories: list
          .filter((r) => r && r.state !== "draft" && r.state !== "triage" && r.published_at)
          .map(fromGhsa),
        state: res.state,
      };
    },
  };
}
