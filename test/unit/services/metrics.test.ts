/**
 * /metrics speaks the Prometheus text format: every line is a HELP, a TYPE or a sample of a declared metric, and
 * it carries prom-client's process metrics beside crier's own. Each app has its registry, so two apps in one
 * process (as in the tests) both export the same names without a clash.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Metrics } from "../../../src/services/metrics.js";
import { type TestApp, makeTestApp } from "../../helpers/app.js";

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_VALUE = String.raw`"(?:[^"\\\n]|\\[\\"n])*"`;
// Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan").
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})(?:,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*,?\\})? ` +
    "(-?[0-9.eE+-]+|[+-]?inf|nan)( -?[0-9]+)?$",
  "i",
);
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

interface Family {
  type: string;
  help: string;
  samples: Array<{ line: string; value: number }>;
}

/** Parses the text exposition format strictly; throws on the first line that is not valid. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  assert.ok(text.endsWith("\n"), "ends with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      assert.match(name, new RegExp(`^${NAME}$`), line);
      const family = families.get(name) ?? { type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        assert.ok(TYPES.has(rest), `type in ${line}`);
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      continue;
    }
    assert.ok(!line.startsWith("#"), `a comment that is neither HELP nor TYPE: ${line}`);
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    const [, name, value] = sample;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const family = families.get(name) ?? families.get(base);
    assert.ok(family, `sample before its TYPE: ${line}`);
    family.samples.push({ line, value: Number(value) });
  }
  return families;
}

describe("metrics registry", () => {
  it("renders counters and computed gauges as valid Prometheus text, with the process metrics", async () => {
    const metrics = new Metrics();
    metrics.inc("crier_reconnects_total", "reconnect attempts per account", { account: 'irc."odd"\\name' });
    metrics.inc("crier_reconnects_total", "reconnect attempts per account", { account: 'irc."odd"\\name' }, 2);
    metrics.collect("crier_account_connected", "1 when the account is connected", ["account"], async () => [
      { labels: { account: "irc.a" }, value: 1 },
      { labels: { account: "matrix.b" }, value: 0 },
    ]);
    metrics.collect("crier_outbox_pending", "messages waiting to be delivered, per account", ["account"], async () => {
      throw new Error("store down");
    });
    const text = await metrics.render();
    const families = parseExposition(text);

    const reconnects = families.get("crier_reconnects_total");
    assert.equal(reconnects?.type, "counter");
    assert.equal(reconnects?.help, "reconnect attempts per account");
    assert.deepEqual(
      reconnects?.samples.map((s) => s.line),
      ['crier_reconnects_total{account="irc.\\"odd\\"\\\\name"} 3'],
    );
    const connected = families.get("crier_account_connected");
    assert.equal(connected?.type, "gauge");
    assert.deepEqual(connected?.samples.map((s) => s.line).sort(), [
      'crier_account_connected{account="irc.a"} 1',
      'crier_account_connected{account="matrix.b"} 0',
    ]);
    // A failing collector leaves its series empty; the scrape still answers.
    assert.equal(families.get("crier_outbox_pending")?.type, "gauge");
    assert.deepEqual(families.get("crier_outbox_pending")?.samples, []);

    const rss = families.get("process_resident_memory_bytes");
    assert.equal(rss?.type, "gauge");
    assert.ok((rss?.samples[0]?.value ?? 0) > 0, "resident memory is measured");
    assert.ok(families.has("nodejs_heap_size_used_bytes"), [...families.keys()].join(", "));
  });

  it("a counter appears on its first count; a later collector of the same name takes the place of the first", async () => {
    const metrics = new Metrics();
    assert.ok(!(await metrics.render()).includes("crier_slow_events_total"));
    metrics.inc("crier_slow_events_total", "slow events", { account: "console" });
    metrics.collect("crier_irc_queue_depth", "lines waiting", ["account"], async () => [
      { labels: { account: "irc.old" }, value: 5 },
    ]);
    metrics.collect("crier_irc_queue_depth", "lines waiting", ["account"], async () => [
      { labels: { account: "irc.new" }, value: 2 },
    ]);
    const families = parseExposition(await metrics.render());
    assert.deepEqual(
      families.get("crier_slow_events_total")?.samples.map((s) => s.line),
      ['crier_slow_events_total{account="console"} 1'],
    );
    assert.deepEqual(
      families.get("crier_irc_queue_depth")?.samples.map((s) => s.line),
      ['crier_irc_queue_depth{account="irc.new"} 2'],
    );
  });

  it("each owner of a computed gauge reports its own series (two IRC accounts, two queues); a forgotten one is gone", async () => {
    const metrics = new Metrics();
    const depth = (account: string, value: number) => async () => [{ labels: { account }, value }];
    metrics.collect("crier_irc_queue_depth", "lines waiting", ["account"], depth("irc.a", 3), "irc.a");
    metrics.collect("crier_irc_queue_depth", "lines waiting", ["account"], depth("irc.b", 1), "irc.b");
    metrics.collect("crier_irc_queue_depth", "lines waiting", ["account"], depth("irc.a", 4), "irc.a");
    const lines = async () =>
      parseExposition(await metrics.render())
        .get("crier_irc_queue_depth")
        ?.samples.map((s) => s.line)
        .sort();
    assert.deepEqual(await lines(), [
      'crier_irc_queue_depth{account="irc.a"} 4',
      'crier_irc_queue_depth{account="irc.b"} 1',
    ]);
    metrics.forget("crier_irc_queue_depth", "irc.a");
    assert.deepEqual(await lines(), ['crier_irc_queue_depth{account="irc.b"} 1']);
  });

  describe("two apps in one process", () => {
    const apps: TestApp[] = [];
    after(async () => {
      for (const t of apps) await t.close();
    });

    it("each exports crier's metrics and the process metrics from its own registry", async () => {
      apps.push(await makeTestApp(), await makeTestApp());
      for (const t of apps) {
        const families = parseExposition(await t.app.ctx.metrics.render());
        for (const name of [
          "crier_account_connected",
          "crier_leader",
          "crier_lease_term",
          "crier_outbox_pending",
          "crier_outbox_parked",
          "crier_outbox_room_pending",
          "crier_outbox_room_parked",
          "crier_outbox_room_oldest_seconds",
          "crier_outbox_combined_total",
          "crier_event_loop_delay_p99_seconds",
          "crier_event_loop_delay_max_seconds",
          "process_resident_memory_bytes",
        ])
          assert.ok(families.has(name), `${name} in ${[...families.keys()].join(", ")}`);
        assert.deepEqual(
          families.get("crier_account_connected")?.samples.map((s) => s.line),
          ['crier_account_connected{account="console"} 1'],
        );
      }
    });
  });
});
