import { z } from "zod";

export const advisorySourceSchema = z.strictObject({
  id: z.string().regex(/^[\w-]+$/),
  kind: z.enum(["rss", "atom", "jsonfeed", "feed", "osv", "github", "directory"]),
  /** URL for feeds, OSV and GitHub (`owner/repo` for github); a path for directory. */
  url: z.string().optional(),
  path: z.string().optional(),
  repo: z.string().optional(),
  token: z.string().optional(),
  interval: z.string().default("5m"),
  to: z.array(z.string()).min(1),
  packages: z.array(z.string()).default([]),
  minSeverity: z.enum(["none", "low", "medium", "high", "critical"]).default("none"),
  allowRedirectHosts: z.array(z.string()).default([]),
});

export const advisoriesSchema = z
  .strictObject({
    sources: z.array(advisorySourceSchema).default([]),
    /** On first subscription, post only advisories published within this window (no flood of old ones). */
    backlog: z.string().default("7d"),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024),
    /** A source that has not answered completely within this is cut off (slow or stuck servers). */
    timeout: z
      .string()
      .regex(/^\d+[smh]$/, "a duration like 20s")
      .default("20s"),
  })
  .default({ sources: [], backlog: "7d", maxBodyBytes: 5 * 1024 * 1024, timeout: "20s" });
