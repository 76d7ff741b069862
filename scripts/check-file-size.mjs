#!/usr/bin/env node
// The house rule "one idea per file, under 350 lines" as a check: fails naming every file in src/ longer than that,
// so a file grows into two ideas only by someone deciding to split it, not by drift.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MAX_LINES = 350;
const long = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.[cm]?[jt]s$/.test(name)) {
      const text = readFileSync(p, "utf8");
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      if (lines > MAX_LINES) long.push(`${p}: ${lines} lines (at most ${MAX_LINES}; split it by idea)`);
    }
  }
};
walk("src");
if (long.length) {
  for (const l of long) console.error(l);
  process.exit(1);
}
