/**
 * Hot reload: a new config applied to a running crier without dropping what did not change.
 * - Invalid (schema, cross-checks, unset ${ENV}): rejected with exactly check-config's messages, logged and told to
 *   the admins; the running config stays.
 * - Accounts: an added one connects, a removed one disconnects, a changed one reconnects — each alone; accounts whose
 *   config is the same keep their connection (the IRC server sees no QUIT).
 * - Everything else (links, schedules, meetings, advisories, time zones, admins, command settings) changes in place:
 *   the config is swapped and each feature is re-initialised from it (its own `reload`, else stop → init → start).
 * - The store and the state directory cannot move under a running crier: a change there is reported, not applied.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Config } from "./config/schema.js";
import { loadConfig } from "./config/load.js";
import type { Adapter } from "./core/adapter.js";
import type { AppContext, Feature } from "./core/context.js";
import type { Dispatcher } from "./services/dispatch.js";
import { ConfigError } from "./core/errors.js";

export interface ReloadTarget {
  ctx: AppContext;
  features: Feature[];
  admins: string[];
  dispatcher: Dispatcher;
  buildAdapter(account: string, config: unknown): Promise<Adapter>;
  startAdapter(adapter: Adapter): Promise<void>;
  stopAdapter(adapter: Adapter): Promise<void>;
}

export interface ReloadOutcome {
  ok: boolean;
  /** check-config's lines, when the new config was rejected. */
  problems: string[];
  added: string[];
  removed: string[];
  reconnected: string[];
  /** Changes a running crier cannot apply (they need a restart). */
  ignored: string[];
  at: number;
}

/** The file `crier reload` reads to tell the operator what happened. */
export const RELOAD_RESULT_FILE = "reload-result.json";

export async function reloadFromFile(target: ReloadTarget, file: string | undefined): Promise<ReloadOutcome> {
  const { log, stateDir } = target.ctx;
  let outcome: ReloadOutcome;
  if (!file) {
    outcome = rejected(["crier was not started from a config file; nothing to reload"]);
  } else {
    log.info({ file }, "reloading the config");
    try {
      const loaded = loadConfig(file);
      for (const w of loaded.warnings) log.warn(w);
      outcome = await applyConfig(target, loaded.config);
    } catch (err) {
      outcome = rejected(err instanceof ConfigError ? err.problems : [(err as Error).message]);
    }
  }
  if (!outcome.ok) {
    log.error({ problems: outcome.problems }, "the new config was rejected; crier goes on with the old one");
    const text = `config reload rejected, crier goes on with the old config: ${outcome.problems.join("; ")}`;
    await target.ctx
      .warnAdmins(text, `reload:${outcome.at}`)
      .catch((err) => log.error({ err }, "could not tell admins about the rejected reload"));
  }
  try {
    writeFileSync(join(stateDir, RELOAD_RESULT_FILE), `${JSON.stringify(outcome)}\n`, { mode: 0o600 });
  } catch (err) {
    log.warn({ err }, "could not write the reload result");
  }
  return outcome;
}

function rejected(problems: string[]): ReloadOutcome {
  return { ok: false, problems, added: [], removed: [], reconnected: [], ignored: [], at: Date.now() };
}

/** Applies `next` to the running crier (the caller runs one reload at a time). */
export async function applyConfig(target: ReloadTarget, next: Config): Promise<ReloadOutcome> {
  const { ctx } = target;
  const previous = ctx.config;
  const ignored: string[] = [];
  if (!isDeepStrictEqual(previous.store, next.store)) ignored.push("store");
  if (previous.stateDir !== next.stateDir) ignored.push("stateDir");
  const fixed = { ...next, store: previous.store, stateDir: previous.stateDir };

  const before = previous.accounts as Record<string, unknown>;
  const after = fixed.accounts as Record<string, unknown>;
  const removed = Object.keys(before).filter((a) => !(a in after));
  const added = Object.keys(after).filter((a) => !(a in before));
  const reconnected = Object.keys(after).filter((a) => a in before && !isDeepStrictEqual(before[a], after[a]));

  const guarded = async (f: Feature, step: string, work: () => Promise<void> | undefined) => {
    try {
      await work();
    } catch (err) {
      ctx.log.error({ err, feature: f.name }, `feature ${step} failed during reload`);
    }
  };
  for (const f of [...target.features].reverse()) if (!f.reload) await guarded(f, "stop", () => f.stop?.(ctx));
  ctx.config = fixed;
  target.admins.splice(0, target.admins.length, ...fixed.admins);
  ctx.commands.setPrefix(fixed.commands.prefix);
  target.dispatcher.reconfigure();

  await Promise.all(
    [...removed, ...reconnected].map(async (account) => {
      const adapter = ctx.adapters.get(account);
      ctx.adapters.delete(account);
      if (adapter) await target.stopAdapter(adapter);
      ctx.log.info({ account }, reconnected.includes(account) ? "account changed; reconnecting" : "account removed");
    }),
  );
  const fresh: Adapter[] = [];
  for (const account of [...added, ...reconnected]) {
    const adapter = await target.buildAdapter(account, after[account]);
    ctx.adapters.set(account, adapter);
    fresh.push(adapter);
  }
  for (const f of target.features) {
    if (f.reload) await guarded(f, "reload", () => f.reload?.(ctx, previous));
    else {
      await guarded(f, "init", () => f.init?.(ctx));
      await guarded(f, "start", () => f.start?.(ctx));
    }
  }
  await Promise.all(fresh.map((a) => target.startAdapter(a)));
  const outcome: ReloadOutcome = { ok: true, problems: [], added, removed, reconnected, ignored, at: Date.now() };
  ctx.log.info({ added, removed, reconnected, ignored }, "config reloaded");
  if (ignored.length)
    ctx.log.warn({ ignored }, "these settings cannot change while crier runs; restart crier to apply them");
  return outcome;
}
