import type { z } from "zod";
import type { advisorySourceSchema } from "../../config/sections/advisories.js";
import { directorySource } from "./directory.js";
import { feedSource } from "./feed.js";
import { githubSource } from "./github.js";
import { osvUrlSource } from "./osv.js";
import type { AdvisorySource } from "./types.js";

export type AdvisorySourceConfig = z.infer<typeof advisorySourceSchema>;

/** One line per kind: a new kind (CVE, CSAF) is one more file and one more case here. */
export function makeSource(cfg: AdvisorySourceConfig, maxBytes: number, timeoutMs: number): AdvisorySource {
  const net = { maxBytes, timeoutMs, allowRedirectHosts: cfg.allowRedirectHosts };
  switch (cfg.kind) {
    case "rss":
    case "atom":
    case "jsonfeed":
    case "feed":
      return feedSource(need(cfg.url, cfg, "url"), net);
    case "osv":
      return cfg.url ? osvUrlSource(cfg.url, net) : directorySource(need(cfg.path, cfg, "url or path"), net);
    case "github":
      return githubSource(need(cfg.repo, cfg, "repo"), { api: cfg.url, token: cfg.token, maxBytes, timeoutMs });
    case "directory":
      return directorySource(need(cfg.path, cfg, "path"), net);
  }
}

function need(v: string | undefined, cfg: AdvisorySourceConfig, what: string): string {
  if (!v) throw new Error(`advisory source ${cfg.id} (${cfg.kind}) needs ${what}`);
  return v;
}
