#!/usr/bin/env bash
# Installs Synapse (the Matrix homeserver the Matrix tests run against) into the git-ignored .testbed/venv.
# Skips when the venv already holds the pinned version. Quiet on success, loud on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
SYNAPSE_VERSION=1.163.2
venv=.testbed/venv
if [ -x "$venv/bin/python" ] &&
  [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null)" = "$SYNAPSE_VERSION" ]; then
  exit 0
fi
echo "testbed: installing matrix-synapse $SYNAPSE_VERSION into $venv (pip, a few minutes)"
mkdir -p .testbed
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log=.testbed/synapse-install.log
if ! "$venv/bin/pip" install --quiet "matrix-synapse==$SYNAPSE_VERSION" >"$log" 2>&1; then
  tail -30 "$log" >&2
  echo "testbed: pip install matrix-synapse==$SYNAPSE_VERSION failed (full log: $log)" >&2
  exit 1
fi
