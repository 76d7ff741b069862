#!/usr/bin/env bash
# `npm run bench [-- --json] [-- --quick] [-- --only NAME]`, from a fresh clone: installs what the benchmarks need
# (as the tests do; heisenbridge goes into its own venv on first use), then runs them (bench/index.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
# Installing says what it does on stderr, so `--json` output stays one JSON line on stdout.
bash scripts/install.sh >&2
exec node --import tsx bench/index.ts "$@"
