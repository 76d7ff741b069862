#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm packages, InspIRCd, Synapse's venv,
# Chromium), then lint, type check, unit, adapter and end-to-end tests. Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

echo "== lint"; npx biome check . && npm run --silent deps:check && node scripts/check-file-size.mjs
echo "== types"; npx tsc -p tsconfig.json --noEmit
echo "== dependencies"; node scripts/audit-lock.mjs
# The host's zone must never leak into a time: the time tests also run under two other zones (first, so that the
# full run's summary is the last thing printed).
for zone in Pacific/Auckland America/Los_Angeles; do
  echo "== time tests under TZ=$zone"
  TZ=$zone node scripts/run-tests.mjs test/unit/services/time test/unit/cli/time.test.ts test/unit/features/linked-zones.test.ts
done
echo "== tests"
node scripts/run-tests.mjs test
