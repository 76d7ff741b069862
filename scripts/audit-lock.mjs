#!/usr/bin/env node
// Offline dependency check: npm audit needs the registry's advisory service, which CI cannot reach. This checks the
// lock file against the known-bad versions listed in scripts/known-vulnerable.json (kept by hand from advisories)
// and fails on any match that is not accepted there with a reason.
import { readFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const db = JSON.parse(readFileSync("scripts/known-vulnerable.json", "utf8"));
const cmp = (a, b) => {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
};
let bad = 0;
let checked = 0;
for (const [path, meta] of Object.entries(lock.packages ?? {})) {
  if (!path) continue;
  checked++;
  const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  for (const adv of db.advisories.filter((a) => a.package === name)) {
    if (cmp(meta.version, adv.fixed) < 0 && (!adv.introduced || cmp(meta.version, adv.introduced) >= 0)) {
      if (adv.accepted) console.log(`accepted: ${name}@${meta.version} ${adv.id} — ${adv.accepted}`);
      else {
        console.log(`VULNERABLE: ${name}@${meta.version} ${adv.id} (fixed in ${adv.fixed})`);
        bad++;
      }
    }
  }
}
console.log(
  `dependencies: ${checked} packages checked against ${db.advisories.length} advisories, ${bad} open findings`,
);
process.exit(bad ? 1 : 0);
