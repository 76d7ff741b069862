/**
 * Polls every advisory source on its own loop and interval (jittered, with backoff after errors), posts what is new
 * and public, holds what is announced for later, posts a withdrawal where a posted advisory is withdrawn, and tells
 * admins once when a source keeps failing or one of its files cannot be read.
 */
import { type BackoffPolicy, backoffDelay, jittered } from "../../core/backoff.js";
import type { AppContext } from "../../core/context.js";
import { Loop, type LoopPass } from "../../core/loop.js";
import { parseDuration } from "../../core/duration.js";
import { expandTargets } from "../../core/targets.js";
import { deliver, dropPending, duePending, firstSighting, hold, nextPendingDue, withdraw } from "./ledger.js";
import { type AdvisorySourceConfig, makeSource } from "./sources.js";
import { type Advisory, type AdvisorySource, SEVERITY_RANK } from "./types.js";

const FAILURES_BEFORE_WARNING = 3;
const MAX_BACKOFF_MS = 3_600_000;
/** Polls spread ±10% around the interval, so sources set alike do not stay in step. */
const POLL_JITTER = { spread: 0.1 };
const PACE_MS = 1_000;

interface Runtime {
  cfg: AdvisorySourceConfig;
  source: AdvisorySource;
  intervalMs: number;
  nextPoll: number;
  /** After a failed poll: twice the interval, doubling with each further failure, at most an hour. */
  backoff: BackoffPolicy;
  /** Polls failed since the last good one (in this process; the store's count survives restarts). */
  failedPolls: number;
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
  /** One loop per source, so a slow one (up to its timeout) never delays the others, and one for held advisories. */
  private readonly loops: Loop[];

  constructor(private readonly app: AppContext) {
    const maxBytes = app.config.advisories.maxBodyBytes;
    this.runtimes = app.config.advisories.sources.map((cfg) => {
      const intervalMs = Math.max(30_000, parseDuration(cfg.interval) ?? 300_000);
      return {
        cfg,
        source: makeSource(cfg, maxBytes, parseDuration(app.config.advisories.timeout) ?? 20_000),
        intervalMs,
        nextPoll: 0,
        backoff: { initialMs: intervalMs, maxMs: MAX_BACKOFF_MS, jitter: "none" },
        failedPolls: 0,
        problems: [],
      };
    });
    this.loops = [
      this.loop(() => this.pendingPass()),
      ...this.runtimes.map((rt) => this.loop(() => this.sourcePass(rt))),
    ];
  }

  /** Waits are at least 50 ms, so a source due again at once (a clock step) never spins. */
  private loop(pass: LoopPass): Loop {
    const { app } = this;
    return new Loop({ sleep: (ms) => app.clock.sleep(Math.max(ms, 50)) }, pass, (err) =>
      app.log.error({ err }, "advisory loop crashed"),
    );
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** Polls the source when it is due; sleeps until it is due next. */
  private async sourcePass(rt: Runtime): Promise<number> {
    if (rt.nextPoll <= this.app.clock.now())
      await this.pollSource(rt).catch((err) => this.app.log.error({ err, source: rt.cfg.id }, "advisory poll failed"));
    return rt.nextPoll - this.app.clock.now();
  }

  /** Releases advisories held until publication, waking at the next one due (at least once a minute). */
  private async pendingPass(): Promise<number> {
    await this.releasePending().catch((err) => this.app.log.error({ err }, "advisory release failed"));
    const pending = await nextPendingDue(this.app).catch(() => undefined);
    return Math.min(60_000, (pending ?? Number.POSITIVE_INFINITY) - this.app.clock.now());
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
      rt.failedPolls = 0;
      rt.nextPoll = now + jittered(rt.intervalMs, POLL_JITTER);
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
      rt.failedPolls++;
      rt.nextPoll = now + backoffDelay(rt.backoff, rt.failedPolls);
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
