/**
 * Polls every advisory source on its own loop and interval (jittered, with backoff after errors), posts what is new
 * and public, holds what is announced for later, posts a withdrawal where a posted advisory is withdrawn, and tells
 * admins once when a source keeps failing or one of its files cannot be read.
 */
import type { AppContext } from "../../core/context.js";
import { parseDuration } from "../../core/duration.js";
import { expandTargets } from "../../core/targets.js";
import { deliver, dropPending, duePending, firstSighting, hold, nextPendingDue, withdraw } from "./ledger.js";
import { type AdvisorySourceConfig, makeSource } from "./sources.js";
import { type Advisory, type AdvisorySource, SEVERITY_RANK } from "./types.js";

const FAILURES_BEFORE_WARNING = 3;
const MAX_BACKOFF_MS = 3_600_000;
const PACE_MS = 1_000;

interface Runtime {
  cfg: AdvisorySourceConfig;
  source: AdvisorySource;
  intervalMs: number;
  nextPoll: number;
  backoffMs: number;
  /** Files the last poll could not read (directory sources), shown by `!advisories`. */
  problems: Array<{ file: string; reason: string }>;
}

interface SourceRow {
  subscribed_at: number;
  etag: string | null;
  last_modified: string | null;
  last_poll: number | null;
  last_ok: number | null;
  failures: number;
  last_error: string | null;
}

export class AdvisoryWatcher {
  private readonly runtimes: Runtime[];
  private running = false;
  private readonly sleeping = new Set<{ done: Promise<void>; cancel(): void }>();
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly app: AppContext) {
    const maxBytes = app.config.advisories.maxBodyBytes;
    this.runtimes = app.config.advisories.sources.map((cfg) => {
      const intervalMs = Math.max(30_000, parseDuration(cfg.interval) ?? 300_000);
      return {
        cfg,
        source: makeSource(cfg, maxBytes, parseDuration(app.config.advisories.timeout) ?? 20_000),
        intervalMs,
        nextPoll: 0,
        backoffMs: intervalMs,
        problems: [],
      };
    });
  }

  start(): void {
    this.running = true;
    // Each source polls on its own loop, so a slow one (up to its timeout) never delays the others.
    this.done = Promise.all([this.pendingLoop(), ...this.runtimes.map((rt) => this.sourceLoop(rt))]).then(() => {});
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.sleeping) s.cancel();
    await this.done;
  }

  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    const s = this.app.clock.sleep(Math.max(ms, 50));
    this.sleeping.add(s);
    await s.done;
    this.sleeping.delete(s);
  }

  private async sourceLoop(rt: Runtime): Promise<void> {
    while (this.running) {
      if (rt.nextPoll <= this.app.clock.now())
        await this.pollSource(rt).catch((err) =>
          this.app.log.error({ err, source: rt.cfg.id }, "advisory poll failed"),
        );
      if (!this.running) break;
      await this.pause(rt.nextPoll - this.app.clock.now());
    }
  }

  /** Releases advisories held until publication, waking at the next one due (at least once a minute). */
  private async pendingLoop(): Promise<void> {
    while (this.running) {
      await this.releasePending().catch((err) => this.app.log.error({ err }, "advisory release failed"));
      const pending = await nextPendingDue(this.app).catch(() => undefined);
      if (!this.running) break;
      await this.pause(Math.min(60_000, (pending ?? Number.POSITIVE_INFINITY) - this.app.clock.now()));
    }
  }

  /** Polls one source now (also `!advisories poll`); returns the number of notices it queued. */
  async pollNow(id: string): Promise<number> {
    const rt = this.runtimes.find((r) => r.cfg.id === id);
    if (!rt) throw new Error(`no advisory source "${id}"`);
    return this.pollSource(rt);
  }

  async status(): Promise<
    Array<{
      id: string;
      kind: string;
      lastPoll: number | null;
      lastOk: number | null;
      failures: number;
      error: string | null;
      problems: Array<{ file: string; reason: string }>;
    }>
  > {
    const out = [];
    for (const rt of this.runtimes) {
      const row = await this.app.store.get<SourceRow>("SELECT * FROM advisory_sources WHERE id = ?", [rt.cfg.id]);
      out.push({
        id: rt.cfg.id,
        kind: rt.cfg.kind,
        lastPoll: row?.last_poll ?? null,
        lastOk: row?.last_ok ?? null,
        failures: Number(row?.failures ?? 0),
        error: row?.last_error ?? null,
        problems: rt.problems,
      });
    }
    return out;
  }

  private async sourceRow(id: string): Promise<SourceRow> {
    await this.app.store.run(
      "INSERT INTO advisory_sources (id, subscribed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
      [id, this.app.clock.now()],
    );
    return (await this.app.store.get<SourceRow>("SELECT * FROM advisory_sources WHERE id = ?", [id]))!;
  }

  private async pollSource(rt: Runtime): Promise<number> {
    const { app } = this;
    const now = app.clock.now();
    const row = await this.sourceRow(rt.cfg.id);
    try {
      const res = await rt.source.poll({ etag: row.etag ?? undefined, lastModified: row.last_modified ?? undefined });
      await app.store.run(
        "UPDATE advisory_sources SET etag = ?, last_modified = ?, last_poll = ?, last_ok = ?, failures = 0, last_error = NULL WHERE id = ?",
        [res.state?.etag ?? null, res.state?.lastModified ?? null, now, now, rt.cfg.id],
      );
      if (row.failures >= FAILURES_BEFORE_WARNING) app.log.info({ source: rt.cfg.id }, "advisory source works again");
      rt.backoffMs = rt.intervalMs;
      rt.nextPoll = now + rt.intervalMs * (0.9 + Math.random() * 0.2);
      if (res.notModified) return 0;
      await this.reportProblems(rt, res.problems ?? []);
      return await this.consider(rt.cfg, res.advisories, row.last_poll === null, Number(row.subscribed_at));
    } catch (err) {
      const failures = Number(row.failures) + 1;
      const message = (err as Error).message.slice(0, 300);
      await app.store.run("UPDATE advisory_sources SET last_poll = ?, failures = ?, last_error = ? WHERE id = ?", [
        now,
        failures,
        message,
        rt.cfg.id,
      ]);
      rt.backoffMs = Math.min(MAX_BACKOFF_MS, rt.backoffMs * 2);
      rt.nextPoll = now + rt.backoffMs;
      app.log.warn({ source: rt.cfg.id, failures, error: message }, "advisory source failed");
      if (failures === FAILURES_BEFORE_WARNING) {
        await app.warnAdmins(
          `advisory source "${rt.cfg.id}" keeps failing: ${message}`,
          `advisory-failing:${rt.cfg.id}:${row.last_ok ?? row.subscribed_at}`,
        );
      }
      return 0;
    }
  }

  /** Each unreadable file is told to admins once, by name and reason (again only if the reason changes). */
  private async reportProblems(rt: Runtime, problems: Array<{ file: string; reason: string }>): Promise<void> {
    rt.problems = problems.slice(0, 100);
    for (const p of rt.problems) {
      await this.app.warnAdmins(
        `advisory source "${rt.cfg.id}" skipped ${p.file}: ${p.reason}`,
        `advisory-file:${rt.cfg.id}:${p.file}:${p.reason}`.slice(0, 400),
      );
    }
  }

  private wanted(cfg: AdvisorySourceConfig, a: Advisory): boolean {
    if (a.withdrawn) return false;
    if (cfg.packages.length && a.packages.length && !a.packages.some((p) => cfg.packages.includes(p))) return false;
    if (cfg.minSeverity !== "none" && a.severity && SEVERITY_RANK[a.severity] < SEVERITY_RANK[cfg.minSeverity])
      return false;
    return true;
  }

  /** New or changed records of one poll: posted if public and recent enough, held if announced for later. */
  private async consider(
    cfg: AdvisorySourceConfig,
    advisories: Advisory[],
    firstPoll: boolean,
    subscribedAt: number,
  ): Promise<number> {
    const now = this.app.clock.now();
    const backlog = parseDuration(this.app.config.advisories.backlog) ?? 7 * 86_400_000;
    const rooms = expandTargets(this.app.config, cfg.to);
    let posted = 0;
    let paced = 0;
    for (const a of advisories) {
      if (a.withdrawn) {
        const n = await withdraw(this.app, a, now + paced * PACE_MS);
        if (n) paced++;
        posted += n;
        continue;
      }
      if (!this.wanted(cfg, a)) continue;
      // Old news is not posted on first subscription: only the backlog window. An undated item is new only if this
      // source had not listed it before (and not on the first poll, when everything is "new").
      const fresh = await firstSighting(this.app, cfg.id, a.id);
      if (a.published === undefined ? firstPoll || !fresh : a.published < subscribedAt - backlog) continue;
      if (a.published !== undefined && a.published > now) {
        await hold(this.app, cfg.id, a);
        continue;
      }
      const n = await deliver(this.app, cfg.id, a, rooms, now + paced * PACE_MS);
      if (n) paced++;
      posted += n;
    }
    return posted;
  }

  /** Advisories held until publication that are now public. */
  private async releasePending(): Promise<void> {
    for (const { source, advisory } of await duePending(this.app)) {
      const cfg = this.runtimes.find((r) => r.cfg.id === source)?.cfg;
      if (cfg && this.wanted(cfg, advisory))
        await deliver(this.app, source, advisory, expandTargets(this.app.config, cfg.to), this.app.clock.now());
      await dropPending(this.app, source, advisory.id);
    }
  }
}
