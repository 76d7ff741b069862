import { z } from "zod";
import { platformOf, platforms } from "../adapters/index.js";
import { advisoriesSchema } from "./sections/advisories.js";
import { commandsSchema, httpSchema, identitySchema, logSchema, storeSchema } from "./sections/core.js";
import { linksSchema, relaySchema } from "./sections/links.js";
import { deliverySchema } from "./sections/delivery.js";
import { meetingsSchema } from "./sections/meetings.js";
import { schedulesSchema } from "./sections/schedules.js";
import { timezonesSchema } from "./sections/timezones.js";
import { checkSchedules } from "./schedule-check.js";
import { didYouMean } from "../core/suggest.js";

const accountName = z
  .string()
  .regex(/^[a-z]+(\.[\w-]+)?$/, "account names are <platform>.<name>, e.g. irc.libera, matrix.main, or console");

/** Accounts are keyed `<platform>.<name>`; each value is checked by its platform's own schema. */
const accountsSchema = z.record(accountName, z.unknown()).transform((accounts, ctx) => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(accounts)) {
    const platform = platformOf(name);
    const entry = platforms[platform];
    if (!entry) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `unknown platform "${platform}"${didYouMean(platform, Object.keys(platforms))} (known: ${Object.keys(platforms).join(", ")})`,
      });
      continue;
    }
    const parsed = entry.configSchema.safeParse(value ?? undefined);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [name, ...issue.path] });
      continue;
    }
    out[name] = parsed.data;
  }
  return out;
});

export const configSchema = z.strictObject({
  stateDir: z.string().optional(),
  admins: z.array(identitySchema).default([]),
  /** Where crier tells admins about problems (parked messages, failing feeds): `<account>/<room>` or link names. */
  adminRooms: z.array(z.string()).default([]),
  accounts: accountsSchema.default({ console: {} }),
  links: linksSchema,
  relay: relaySchema,
  delivery: deliverySchema,
  timezones: timezonesSchema,
  schedules: schedulesSchema,
  meetings: meetingsSchema,
  /** Minutes (#startmeeting … #endmeeting): a meeting left open is closed after this long, with a warning first. */
  minutes: z
    .strictObject({
      autoCloseAfter: z
        .string()
        .regex(/^\d+[mh]$/, "a duration like 3h")
        .default("3h"),
    })
    .default({ autoCloseAfter: "3h" }),
  advisories: advisoriesSchema,
  http: httpSchema,
  store: storeSchema,
  log: logSchema,
  commands: commandsSchema,
});

type Raw = Record<string, unknown>;
const arr = (v: unknown): Raw[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === "object") as Raw[]) : []);

/**
 * Cross-references (link rooms name known accounts, targets name known links) checked on the raw config, so they
 * are reported together with schema errors elsewhere in the file rather than only after those are fixed.
 */
export function crossCheck(raw: Raw): string[] {
  const out: string[] = [];
  const accounts = raw.accounts && typeof raw.accounts === "object" ? Object.keys(raw.accounts) : ["console"];
  const linkNames = new Set<string>();
  arr(raw.links).forEach((link, i) => {
    const name = String(link.name ?? "");
    if (linkNames.has(name)) out.push(`links[${i}].name: duplicate link name "${name}"`);
    linkNames.add(name);
    const seen = new Set<string>();
    arr(link.rooms).forEach((r, j) => {
      const account = String(r.account ?? "");
      if (account && !accounts.includes(account)) {
        out.push(`links[${i}].rooms[${j}].account: unknown account "${account}"${didYouMean(account, accounts)}`);
      }
      const key = `${account}/${String(r.room ?? "")}`;
      if (seen.has(key)) out.push(`links[${i}].rooms[${j}]: room ${key} appears twice in this link`);
      seen.add(key);
    });
  });
  const checkTargets = (targets: unknown, path: string) => {
    if (!Array.isArray(targets)) return;
    targets.forEach((t, k) => {
      if (typeof t !== "string") return;
      if (t.includes("/")) {
        const account = t.slice(0, t.indexOf("/"));
        if (!accounts.includes(account))
          out.push(`${path}[${k}]: unknown account "${account}"${didYouMean(account, accounts)}`);
      } else if (!linkNames.has(t)) {
        out.push(`${path}[${k}]: unknown link "${t}"${didYouMean(t, linkNames)} (or use <account>/<room>)`);
      }
    });
  };
  checkTargets(raw.adminRooms, "adminRooms");
  out.push(...checkSchedules(raw));
  arr(raw.schedules).forEach((s, i) => checkTargets(s.to, `schedules[${i}].to`));
  arr(raw.meetings).forEach((m, i) => checkTargets(m.links, `meetings[${i}].links`));
  const adv = raw.advisories && typeof raw.advisories === "object" ? (raw.advisories as Raw) : {};
  arr(adv.sources).forEach((s, i) => checkTargets(s.to, `advisories.sources[${i}].to`));
  return out;
}

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** JSON Schema for editors (config/schema.json), with each platform's account schema spelled out. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, unknown>;
  };
  const patternProperties: Record<string, unknown> = {};
  for (const [platform, entry] of Object.entries(platforms)) {
    const sub = z.toJSONSchema(entry.configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete sub.$schema;
    patternProperties[platform === "console" ? "^console(\\.[\\w-]+)?$" : `^${platform}\\.[\\w-]+$`] = sub;
  }
  schema.properties.accounts = {
    type: "object",
    description: "Chat accounts keyed <platform>.<name>",
    patternProperties,
    additionalProperties: false,
  };
  return schema;
}
