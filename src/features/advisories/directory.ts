/**
 * A project's own advisories in a directory: OSV JSON files, or Markdown with front matter (id, cve, title,
 * severity, affected, fixed, url, published) — for projects that publish from their repository.
 */
import { parse as parseYaml } from "yaml";
import { parseOsvDocument, readDirectory } from "./osv.js";
import { type Advisory, idsInText, normaliseSeverity, parseTime, type SourceResult } from "./types.js";

export function parseMarkdownAdvisory(name: string, body: string): Advisory {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(body);
  if (!m) throw new Error("no front matter: it must start with a block between --- lines");
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
    withdrawn: !!fm.withdrawn,
  };
}

export function directorySource(dir: string, opts: { maxBytes: number }) {
  return {
    async poll(): Promise<SourceResult> {
      const problems: Array<{ file: string; reason: string }> = [];
      const files = await readDirectory(dir, Math.min(opts.maxBytes, 1024 * 1024), /\.(json|md)$/, problems);
      const out: Advisory[] = [];
      for (const f of files) {
        try {
          if (f.name.endsWith(".json")) {
            const records = parseOsvDocument(f.body);
            if (!records.length) throw new Error("no OSV record (an object with an id)");
            out.push(...records);
          } else out.push(parseMarkdownAdvisory(f.name, f.body));
        } catch (err) {
          // One malformed file must not hide the others; the watcher tells admins about it, once.
          problems.push({ file: f.name, reason: (err as Error).message.split("\n")[0].slice(0, 200) });
        }
      }
      return { advisories: out, problems };
    },
  };
}
