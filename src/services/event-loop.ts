/**
 * A watchdog on the event loop: how long timers waited behind work that held the loop (a parser gone quadratic,
 * a huge render). Exported in /metrics as the p99 and the maximum of the last minute, so a lock-up shows in
 * production before anyone reports it.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Metrics } from "./metrics.js";

/** Sampling resolution of the delay histogram: fine enough to see a 20 ms stall, cheap enough to leave on. */
const RESOLUTION_MS = 10;
/** Figures cover the last full window and the current one, so a scrape never sees an empty, just-reset window. */
const WINDOW_MS = 60_000;

export const EVENT_LOOP_P99 = "crier_event_loop_delay_p99_seconds";
export const EVENT_LOOP_MAX = "crier_event_loop_delay_max_seconds";

interface Snapshot {
  p99: number;
  max: number;
}

export class EventLoopWatch {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private previous: Snapshot = { p99: 0, max: 0 };

  constructor(metrics: Metrics) {
    metrics.collect(EVENT_LOOP_P99, "event-loop delay, 99th percentile, over the last minute or two", [], async () => [
      { labels: {}, value: this.figures().p99 },
    ]);
    metrics.collect(EVENT_LOOP_MAX, "longest event-loop delay over the last minute or two", [], async () => [
      { labels: {}, value: this.figures().max },
    ]);
  }

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.previous = this.current();
      this.histogram?.reset();
    }, WINDOW_MS);
    this.timer.unref();
  }

  stop(): void {
    this.histogram?.disable();
    this.histogram = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Delays in seconds: the worse of the last full window and the current one. */
  figures(): Snapshot {
    const now = this.current();
    return { p99: Math.max(now.p99, this.previous.p99), max: Math.max(now.max, this.previous.max) };
  }

  private current(): Snapshot {
    const h = this.histogram;
    // Before the first sample the histogram reports NaN or its initial extremes; nothing measured is zero.
    if (!h?.count) return { p99: 0, max: 0 };
    return { p99: h.percentile(99) / 1e9, max: h.max / 1e9 };
  }
}
