#!/usr/bin/env bash
# What the tests and the benchmarks need, from a fresh clone: npm packages, then the servers (InspIRCd, Atheme,
# Synapse's venv, Chromium, irssi). Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# better-sqlite3 builds from source; point node-gyp at the local Node headers instead of a download.
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

bash scripts/testbed-install.sh
