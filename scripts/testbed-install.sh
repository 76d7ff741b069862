#!/usr/bin/env bash
# Installs the real servers the tests run against, only when missing. Needs root (apt) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v inspircd >/dev/null 2>&1 || [ -x /usr/sbin/inspircd ] || need_apt+=(inspircd)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "testbed: installing ${need_apt[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${need_apt[@]}" >/tmp/crier-apt.log 2>&1; then
    apt-get update >/dev/null 2>&1
    apt-get install -y --no-install-recommends "${need_apt[@]}" >/tmp/crier-apt.log 2>&1 || { tail -20 /tmp/crier-apt.log; exit 1; }
  fi
fi
if [ -f test/testbed/synapse-install.sh ]; then bash test/testbed/synapse-install.sh; fi
