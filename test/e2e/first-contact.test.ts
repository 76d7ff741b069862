/**
 * A newcomer's first minute (issue #22): the README's first command runs crier on config/example.yaml, and on its
 * console they see the banner, a line said in one room relayed to the other, the demo announcement, the sample
 * advisory (posted and listed by !advisories) and, in a real browser, the demo meeting's web page.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** `npm start` as package.json defines it, run directly (so signals reach crier, not npm), on its own state dir. */
function startCommand(stateDir: string): string[] {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  const argv = pkg.scripts.start.split(/\s+/);
  assert.equal(argv[0], "node", `npm start runs node: ${pkg.scripts.start}`);
  return [...argv.slice(1), "--state-dir", stateDir];
}

class Daemon {
  out = "";
  err = "";
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<() => void>();

  constructor(stateDir: string) {
    this.child = spawn(process.execPath, startCommand(stateDir), {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, CRIER_LOG_LEVEL: "warn" },
    });
    this.child.stdout.on("data", (d) => {
      this.out += d;
      for (const l of this.listeners) l();
    });
    this.child.stderr.on("data", (d) => {
      this.err += d;
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves with the first match in stdout at or after `from` (an offset into it); waits on output, not a clock. */
  waitFor(re: RegExp, ms: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(this.out.slice(from));
        if (!m) return false;
        done();
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${re} within ${ms} ms; stdout:\n${this.out}\nstderr:\n${this.err}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => void check();
      if (!check()) this.listeners.add(listener);
    });
  }
}

describe("first contact: npm start on config/example.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "crier-first-"));
  let d: Daemon;
  let webUrl: string;

  before(async () => {
    d = new Daemon(dir);
    // Starting through tsx took over 15 s on a busy 2-core machine: wait on the banner, generously.
    const m = await d.waitFor(/^ {2}web: (http:\/\/127\.0\.0\.1:\d+\/)$/m, 120_000);
    webUrl = m[1];
  });

  after(async () => {
    d.child.kill("SIGINT");
    const code = await Promise.race([d.exited, new Promise<string>((r) => setTimeout(() => r("no exit"), 10_000))]);
    d.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `crier exits cleanly on SIGINT; stderr:\n${d.err}`);
  });

  it("prints a banner naming the config, the linked rooms, the meeting, the web URL and how to get help", () => {
    assert.match(d.out, /^crier \S+ — running config\/example\.yaml$/m);
    assert.match(d.out, /^ {2}link demo: console\/lobby ⇄ console\/dev$/m);
    assert.match(d.out, /^ {2}meetings: Demo community meeting$/m);
    assert.match(d.out, /Type !help for commands, \/help for console keys/);
    // JSON log lines are for collectors; with a console they would bury the conversation.
    assert.doesNotMatch(d.out, /"level":/);
  });

  it("relays what is said in one console room to the other, both ways", async () => {
    const from = d.out.length;
    d.type("hello from the lobby");
    await d.waitFor(/^\[dev\] <you> hello from the lobby$/m, 60_000, from);
    d.type("/room dev");
    await d.waitFor(/^\(now talking in dev\)$/m, 30_000, from);
    d.type("and hello back from dev");
    await d.waitFor(/^\[lobby\] <you> and hello back from dev$/m, 60_000, from);
    d.type("/room lobby");
    await d.waitFor(/^\(now talking in lobby\)$/m, 30_000, from);
  });

  it("made the demo proposal on the first start and answers commands in the room they were asked in", async () => {
    const m = await d.waitFor(/^\[lobby\] <crier> proposed "Release planning" \[(\w+)\]/m, 60_000);
    const from = d.out.length;
    d.type(`!attend ${m[1]}`);
    await d.waitFor(/^\[lobby\] <crier> .*you/m, 60_000, from);
  });

  it("posts the demo announcement in both rooms within the first minute", async () => {
    await d.waitFor(/^\[lobby\] <crier> Demo announcement .*agenda: 1\. Welcome/m, 60_000);
    await d.waitFor(/^\[dev\] <crier> Demo announcement /m, 60_000);
  });

  it("posts the sample advisory and lists it with !advisories", async () => {
    await d.waitFor(/^\[lobby\] <crier> .*Sample advisory for the crier demo/m, 30_000);
    const from = d.out.length;
    d.type("!advisories");
    const m = await d.waitFor(/^\[lobby\] <crier> demo-advisories \(directory\): .*$/m, 60_000, from);
    assert.match(m[0], /1 advisory known: CRIER-DEMO-2026-01/);
  });

  it("is not rate-limited at the console: 30 commands in a row are all answered", async () => {
    const from = d.out.length;
    for (let i = 0; i < 30; i++) d.type(`!time 2026-12-0${1 + (i % 9)} 1${i % 10}:00 UTC in Tokyo`);
    d.type("!ping");
    // Answers come in the order asked, so the last one's pong means all 30 before it were handled.
    await d.waitFor(/^\[lobby\] <crier> pong$/m, 30_000, from);
    const answers = d.out.slice(from).match(/^\[lobby\] <crier> .*Asia\/Tokyo|^\[lobby\] <crier> .*Tokyo/gm) ?? [];
    assert.equal(answers.length, 30, d.out.slice(from));
    assert.doesNotMatch(d.out.slice(from), /slow down/);
  });

  it("serves the demo meeting's page, shown in headless Chromium", async () => {
    assert.ok(existsSync(CHROMIUM), "Chromium not found — run: bash scripts/testbed-install.sh");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      const page = await (await browser.newContext({ timezoneId: "Europe/Berlin", locale: "en-GB" })).newPage();
      await page.goto(webUrl);
      assert.match((await page.textContent("body")) ?? "", /Demo community meeting/);
      await page.goto(new URL("meetings/demo", webUrl).href);
      const body = (await page.textContent("body")) ?? "";
      assert.match(body, /Demo community meeting/);
      assert.match(body, /Welcome, and what crier does/);
      assert.match((await page.locator("time.local").first().textContent()) ?? "", /16:00/);
      mkdirSync("test-artifacts", { recursive: true });
      await page.screenshot({ path: "test-artifacts/first-contact-demo-meeting.png", fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
