import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { type Config, configSchema, crossCheck } from "./schema.js";
import { didYouMean } from "../core/suggest.js";

export interface LoadedConfig {
  config: Config;
  file: string;
  /** Non-fatal findings (e.g. a config readable by other users while it holds secrets). */
  warnings: string[];
  /** With `requireEnv: false`: every `${VAR}` the config names and where, set in the environment or not. */
  env: EnvReference[];
}

export interface EnvReference {
  name: string;
  path: string;
  set: boolean;
}

export interface ParseOptions {
  /** false: an unset `${VAR}` is not an error (check-config --no-env, healthcheck); the value is left empty. */
  requireEnv?: boolean;
  /** Filled with every `${VAR}` reference found. */
  references?: EnvReference[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** `a.b[0].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s || "(top level)";
}

/** Replaces `${NAME}` in string values with the environment variable, after YAML parsing (so no YAML injection). */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string,
  problems: string[],
  references?: EnvReference[],
  /** What an unset variable becomes: "" (an error is reported), or a stand-in when the environment is not needed. */
  unset = (_name: string) => "",
): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      references?.push({ name, path: path || "(top level)", set: v !== undefined });
      if (v === undefined) {
        problems.push(`${path}: environment variable ${name} is not set — export it or remove \${${name}}`);
        return unset(name);
      }
      return v;
    });
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`, problems, references, unset));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = interpolateEnv(v, env, path ? `${path}.${k}` : k, problems, references, unset);
    return out;
  }
  return value;
}

// biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions to find the keys a path allows.
type AnySchema = any;

/** The object keys the schema accepts at a path, for "did you mean" on unknown keys. */
function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let s = schema;
  const unwrap = () => {
    for (let i = 0; i < 20 && s?.def; i++) {
      const d = s.def;
      if (d.innerType) s = d.innerType;
      else if (d.type === "pipe") s = d.in;
      else break;
    }
  };
  unwrap();
  for (const p of path) {
    if (typeof p === "number" && s?.def?.type === "array") s = s.def.element;
    else if (s?.def?.type === "record") s = s.def.valueType;
    else if (s?.shape) s = s.shape[String(p)];
    else return [];
    unwrap();
  }
  return s?.shape ? Object.keys(s.shape) : [];
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const where = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(configSchema, issue.path);
      for (const key of issue.keys) {
        const full = formatPath([...issue.path, key]);
        out.push(
          `${full}: unknown key${didYouMean(key, known)}${known.length ? ` (allowed: ${known.join(", ")})` : ""}`,
        );
      }
    } else if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
      out.push(`${where}: required ${issue.expected} is missing`);
    } else {
      out.push(`${where}: ${issue.message}`);
    }
  }
  return out;
}

/**
 * The key path (`meetings[0].title`) of the deepest node around a text offset, found by descending the parsed
 * document; the descent is a loop bounded by the nesting depth (at most 100 levels), never recursion.
 */
export function keyPathAt(doc: Document, offset: number): string {
  const path: PropertyKey[] = [];
  let node: unknown = doc.contents;
  for (let depth = 0; depth < 100; depth++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const start = isScalar(p.key) ? (p.key.range?.[0] ?? 0) : 0;
        const v = p.value as { range?: [number, number, number] } | null;
        const end = v?.range?.[2] ?? (isScalar(p.key) ? (p.key.range?.[2] ?? 0) : 0);
        return start <= offset && offset <= end;
      });
      if (!pair || !isScalar(pair.key)) break;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => {
        const r = (it as { range?: [number, number, number] } | null)?.range;
        return !!r && r[0] <= offset && offset <= r[2];
      });
      if (i < 0) break;
      path.push(i);
      node = node.items[i];
    } else break;
  }
  return path.length ? formatPath(path) : "";
}

/** yaml's first message line ends `… at line 5, column 1:` before a code excerpt; the position is given apart. */
const yamlMessage = (message: string): string =>
  message
    .split("\n")[0]
    .replace(/ at line \d+, column \d+:?\s*$/, "")
    .replace(/:\s*$/, "");

/** Parses and validates config text; throws ConfigError listing every problem with its key path or line. */
export function parseConfig(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  source = "config",
  opts: ParseOptions = {},
): Config {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError([`${source}: larger than ${MAX_CONFIG_BYTES} bytes`]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const key = keyPathAt(doc, e.pos[0]);
        return `${source}${pos ? `:${pos.line}:${pos.col}` : ""}: YAML error${key ? ` in ${key}` : ""}: ${yamlMessage(e.message)}`;
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // Aliases without anchors and alias bombs fail only here, after parsing.
    throw new ConfigError([`${source}: YAML error: ${(err as Error).message.split("\n")[0]}`]);
  }
  const problems: string[] = [];
  // Without the environment, an unset secret stands in as its own name, so checks that a value is present still pass.
  const standIn = opts.requireEnv === false ? (name: string) => `unset-${name}` : undefined;
  const interpolated = interpolateEnv(raw, env, "", problems, opts.references, standIn);
  const envPaths = new Set(problems.map((p) => p.slice(0, p.indexOf(":"))));
  if (opts.requireEnv === false) problems.length = 0;
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    // An unset variable is already reported; the empty string it left behind would only add a second error.
    const issues = result.error.issues.filter((i) => !envPaths.has(formatPath(i.path)));
    problems.push(...formatIssues(issues));
  }
  if (interpolated && typeof interpolated === "object")
    problems.push(...crossCheck(interpolated as Record<string, unknown>));
  if (problems.length) throw new ConfigError(problems);
  return result.data as Config;
}

/**
 * True when a password/token/secret key holds the secret itself; a file whose secrets are all `${VAR}` references
 * gives nothing away when others can read it.
 */
export function holdsLiteralSecret(text: string): boolean {
  for (const m of text.matchAll(/^[\s-]*[\w-]*(?:password|token|secret)[\w-]*\s*:[ \t]*(.*)$/gim)) {
    const value = m[1]
      .replace(/\s+#.*$/, "")
      .trim()
      .replace(/^(["'])(.*)\1$/, "$2");
    if (value && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value)) return true;
  }
  return false;
}

export function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: Omit<ParseOptions, "references"> = {},
): LoadedConfig {
  const path = isAbsolute(file) ? file : resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  const references: EnvReference[] = [];
  const config = parseConfig(text, env, file, { ...opts, references });
  const warnings: string[] = [];
  const mode = statSync(path).mode;
  if (mode & 0o004 && holdsLiteralSecret(text)) {
    warnings.push(`${file} is readable by other users and holds secrets: chmod 600 ${file}`);
  }
  return { config, file: path, warnings, env: references };
}
