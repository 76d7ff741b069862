/**
 * The README and the guides it links are checked as a newcomer would use them: every ```yaml block passes
 * check-config (without the environment, as `check-config --no-env` does; a block may build on the blocks before it
 * in the same file, as the prose reads), and every offline CLI example in a ```sh block runs and exits 0.
 * YAML that is not a crier config (Prometheus, compose) is fenced ```yml and not checked.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../../src/config/load.js";

interface Block {
  file: string;
  line: number;
  lang: string;
  text: string;
}

function blocksOf(file: string): Block[] {
  const out: Block[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    out.push({ file, line: start + 1, lang: open[1], text: body.join("\n") });
  }
  return out;
}

/** README.md and every docs/ page it links to. */
function documents(): string[] {
  const readme = readFileSync("README.md", "utf8");
  const linked = [...readme.matchAll(/\]\((docs\/[\w-]+\.md)\)/g)].map((m) => m[1]);
  return ["README.md", ...new Set(linked)];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? merge(out[k] as Obj, v) : v;
  return out;
}

/** A CLI example runs offline when it is crier itself, not the daemon or a probe of one, on files that exist. */
const OFFLINE = /^npx crier (check-config|time|render|schema|discord-invite --client-id|--help|--version)\b/;

function shellExamples(): Array<{ where: string; command: string }> {
  const out: Array<{ where: string; command: string }> = [];
  for (const file of documents())
    for (const b of blocksOf(file).filter((x) => x.lang === "sh"))
      b.text.split("\n").forEach((raw, i) => {
        const command = raw.replace(/\s+#.*$/, "").trim();
        if (!OFFLINE.test(command) || command.includes("…")) return;
        const files = command.split(/\s+/).filter((w) => /\.ya?ml$/.test(w));
        if (files.every((f) => existsSync(f))) out.push({ where: `${file}:${b.line + 1 + i}`, command });
      });
  return out;
}

describe("README and guides", () => {
  it("links the setup guides, and each of them exists", () => {
    const docs = documents();
    for (const page of [
      "docs/setup-irc.md",
      "docs/setup-matrix.md",
      "docs/setup-discord.md",
      "docs/first-bridge.md",
      "docs/deployment.md",
    ])
      assert.ok(docs.includes(page) && existsSync(page), `README links ${page}`);
  });

  it("every ```yaml block is a valid config (building on the blocks before it in the same page)", () => {
    let checked = 0;
    for (const file of documents()) {
      let soFar: Obj = {};
      for (const b of blocksOf(file).filter((x) => x.lang === "yaml")) {
        const where = `${file}:${b.line}`;
        const doc = parseYaml(b.text) as unknown;
        assert.ok(isObj(doc), `${where}: a YAML mapping`);
        soFar = merge(soFar, doc);
        try {
          parseConfig(JSON.stringify(soFar), {}, where, { requireEnv: false });
        } catch (err) {
          const problems = (err as { problems?: string[] }).problems ?? [(err as Error).message];
          assert.fail(`${where}: check-config --no-env fails:\n${problems.join("\n")}`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 8, `${checked} YAML blocks checked`);
  });

  it("every offline CLI example in a ```sh block runs and exits 0", () => {
    const examples = shellExamples();
    assert.ok(examples.length >= 5, `examples found: ${examples.map((e) => e.command).join(" | ")}`);
    for (const { where, command } of examples) {
      const r = spawnSync("sh", ["-c", command], { encoding: "utf8", timeout: 120_000, env: { ...process.env } });
      assert.equal(r.status, 0, `${where}: ${command}\n${r.stdout}\n${r.stderr}`);
    }
  });

  it("the README's first command is npm start on config/example.yaml, and that config needs no secrets", () => {
    const first = blocksOf("README.md").find((b) => b.lang === "sh");
    assert.equal(first?.text.trim(), "npm ci && npm start");
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start, /start --config config\/example\.yaml$/);
    const r = spawnSync(process.execPath, ["bin/crier.js", "check-config", "--no-env", "config/example.yaml"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /a start needs no environment variables/);
  });
});
