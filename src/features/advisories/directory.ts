/**
 * A project's own advisories in a directory: OSV JSON files, or Markdown with front matter (id, cve, title,
 * severity, affected, fixed, url, published) — for projects that publish from their repository.
 */
import { parse as parseYaml } from "yaml";
import { parseOsvDocument, readDirectory } from "./osv.js";
import { type Advisory, idsInText, normaliseSeverity, parseTime, type SourceResult } from "./types.js";

export function parseMarkdownAdvisory(name: string, body: string): Advisory | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(body);
  if (!m) return undefined;
  const fm = (parseYaml(m[1], { maxAliasCount: 10 }) ?? {}) as Record<string, unknown>;
  const id = String(fm.id ?? name.replace(/\.md$/, ""));
  const cves = [fm.cve]
    .flat()
    .filter(Boolean)
    .map((c) => String(c).toUpperCase());
  const title = String(fm.title ?? id);
  const ids = [...new Set([...cves, ...idsInText(`${id} ${title}`)])];
  return {
    id,
    aliases: ids.length ? ids : [`advisory:${id}`],
    title: title.slice(0, 300),
    url: fm.url ? String(fm.url) : undefined,
    severity: normaliseSeverity(fm.severity),
    published: parseTime(fm.published instanceof Date ? fm.published.toISOString() : fm.published),
    packages: [fm.package ?? fm.product].flat().filter(Boolean).map(String),
    affected: fm.affected ? String(fm.affected) : undefined,
    fixed: fm.fixed ? String(fm.fixed) : undefined,
  };
}

export function directorySource(dir: string, opts: { maxBytes: number }) {
  return {
    async poll(): Promise<SourceResult> {
      const files = await readDirectory(dir, Math.min(opts.maxBytes, 1024 * 1024), /\.(json|md)$/);
      const out: Advisory[] = [];
      for (const f of files) {
        try {
          if (f.name.endsWith(".json")) out.push(...parseOsvDocument(f.body));
          else {
            const a = parseMarkdownAdvisory(f.name, f.body);
            if (a) out.push(a);
          }
        } catch {
          // One malformed file must not hide the others; the poller reports files it could not read as a count.
        }
      }
      return { advisories: out };
    },
  };
}
