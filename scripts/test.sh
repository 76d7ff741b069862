#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm packages, InspIRCd, Synapse's venv,
# Chromium), then lint, type check, unit, adapter and end-to-end tests. Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# better-sqlite3 builds from source; point node-gyp at the local Node headers instead of a download.
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

bash scripts/testbed-install.sh

echo "== lint"; npx biome check . && npm run --silent deps:check
echo "== types"; npx tsc -p tsconfig.json --noEmit
echo "== dependencies"; node scripts/audit-lock.mjs
# The host's zone must never leak into a time: the time tests also run under two other zones (first, so that the
# full run's summary is the last thing printed).
for zone in Pacific/Auckland America/Los_Angeles; do
  echo "== time tests under TZ=$zone"
  TZ=$zone node scripts/run-tests.mjs test/unit/time
done
echo "== tests"
node scripts/run-tests.mjs test
