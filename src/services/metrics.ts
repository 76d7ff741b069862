/**
 * A small metrics registry in the Prometheus text format (what /metrics serves). Gauges may be computed at scrape
 * time (queue depths, connection states), so nothing has to be pushed on hot paths.
 */
type Labels = Record<string, string>;

interface Series {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, number>;
  collect?: () => Promise<Array<{ labels: Labels; value: number }>>;
}

const labelKey = (labels: Labels = {}): string =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

export class Metrics {
  private readonly series = new Map<string, Series>();

  private get(name: string, type: Series["type"], help: string): Series {
    let s = this.series.get(name);
    if (!s) {
      s = { help, type, values: new Map() };
      this.series.set(name, s);
    }
    return s;
  }

  inc(name: string, help: string, labels?: Labels, by = 1): void {
    const s = this.get(name, "counter", help);
    const k = labelKey(labels);
    s.values.set(k, (s.values.get(k) ?? 0) + by);
  }

  set(name: string, help: string, value: number, labels?: Labels): void {
    this.get(name, "gauge", help).values.set(labelKey(labels), value);
  }

  /** A gauge computed when scraped. */
  collect(name: string, help: string, fn: Series["collect"]): void {
    this.get(name, "gauge", help).collect = fn;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, s] of this.series) {
      lines.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      const values = new Map(s.values);
      if (s.collect) {
        try {
          for (const { labels, value } of await s.collect()) values.set(labelKey(labels), value);
        } catch {
          // A failing collector (store down) leaves its series empty rather than failing the scrape.
        }
      }
      for (const [k, v] of values) lines.push(`${name}${k ? `{${k}}` : ""} ${v}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
