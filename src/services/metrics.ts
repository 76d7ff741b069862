/**
 * crier's metrics, kept in a prom-client Registry of this app's own (tests run several apps in one process, so the
 * library's global default registry is never used), with prom-client's process and Node.js metrics beside crier's.
 * Gauges may be computed at scrape time (queue depths, connection states), so nothing is pushed on hot paths.
 * A series appears once first used, as a counter on its first count.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

type Labels = Record<string, string>;
type Collector = () => Promise<Array<{ labels: Labels; value: number }>>;

export class Metrics {
  private readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  /**
   * The collectors of each computed gauge, by owner (an account: two IRC accounts each report their own queue);
   * a later collect() by the same owner takes the place of its earlier one (an adapter started again on reload).
   */
  private readonly collectors = new Map<string, Map<string, Collector>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts on a counter; its label names are those of its first count. */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = new Counter({ name, help, labelNames: Object.keys(labels), registers: [this.registry] });
      this.counters.set(name, counter);
    }
    counter.inc(labels, by);
  }

  /** A gauge computed when scraped, with the label names its values carry; `owner` tells collectors apart. */
  collect(name: string, help: string, labelNames: readonly string[], fn: Collector, owner = ""): void {
    const owners = this.collectors.get(name);
    if (owners) {
      owners.set(owner, fn);
      return;
    }
    const mine = new Map([[owner, fn]]);
    this.collectors.set(name, mine);
    const gauge: Gauge = new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        gauge.reset();
        for (const collector of mine.values()) {
          try {
            for (const { labels, value } of await collector()) gauge.set(labels, value);
          } catch {
            // A failing collector (store down) leaves its series empty rather than failing the scrape.
          }
        }
      },
    });
  }

  /** Drops an owner's collector (an account removed on reload): its series go with it. */
  forget(name: string, owner = ""): void {
    this.collectors.get(name)?.delete(owner);
  }

  /** The Prometheus text exposition of every series (what /metrics serves). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
