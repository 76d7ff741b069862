/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ query only metrics crier exports: every crier_*
 * name in them is registered somewhere in src/, and each exported crier metric is on the dashboard.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Metric names given to the registry as string literals (`metrics.inc("crier_…"`, `name: "crier_…"`). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of sources("src"))
    for (const m of readFileSync(file, "utf8").matchAll(/["'`](crier_[a-z][a-z0-9_]*[a-z0-9])["'`]/g)) names.add(m[1]);
  return names;
}

/** Metric names in a PromQL expression (identifiers not followed by `(`, so functions are left out). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(crier_[a-z0-9_]+)\b/g)].map((m) => m[1]);
}

describe("deploy/: dashboard and alerts", () => {
  const exported = exportedMetrics();

  it("finds the metrics the code exports", () => {
    for (const name of ["crier_account_connected", "crier_outbox_pending", "crier_reconnects_total"])
      assert.ok(exported.has(name), `${name} in ${[...exported].join(", ")}`);
  });

  it("the Grafana dashboard's panels query exported metrics, and show every one", () => {
    const dash = JSON.parse(readFileSync("deploy/grafana-dashboard.json", "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    assert.ok(dash.panels.length >= 4);
    const used = new Set<string>();
    for (const p of dash.panels) {
      assert.ok(p.targets.length, `${p.title} has a query`);
      for (const t of p.targets) {
        const names = metricsIn(t.expr);
        assert.ok(names.length, `${p.title}: "${t.expr}" names a crier metric`);
        for (const n of names) {
          assert.ok(exported.has(n), `${p.title}: ${n} is not exported by crier`);
          used.add(n);
        }
      }
    }
    for (const n of exported) assert.ok(used.has(n), `no panel shows ${n}`);
  });

  it("every Prometheus alert rule has an expression over exported metrics (or up), a summary and a severity", () => {
    const rules = parseYaml(readFileSync("deploy/prometheus-alerts.yml", "utf8")) as {
      groups: Array<{
        rules: Array<{
          alert: string;
          expr: string;
          labels?: { severity?: string };
          annotations?: { summary?: string };
        }>;
      }>;
    };
    const all = rules.groups.flatMap((g) => g.rules);
    assert.ok(all.length >= 4);
    for (const r of all) {
      const names = metricsIn(r.expr);
      assert.ok(names.length || /\bup\{/.test(r.expr), `${r.alert}: "${r.expr}" queries crier`);
      for (const n of names) assert.ok(exported.has(n), `${r.alert}: ${n} is not exported by crier`);
      assert.ok(r.labels?.severity, `${r.alert} has a severity`);
      assert.ok(r.annotations?.summary, `${r.alert} has a summary`);
    }
  });
});
