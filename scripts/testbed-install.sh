#!/usr/bin/env bash
# Installs the real servers the tests run against, only when missing. Needs root (apt) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v inspircd >/dev/null 2>&1 || [ -x /usr/sbin/inspircd ] || need_apt+=(inspircd)
# Atheme: the services (NickServ, SASL) that give the IRC identity tests real accounts.
[ -x /usr/bin/atheme-services ] || need_apt+=(atheme-services)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# A real IRC client, run in tmux, to see what its users see (highlights).
command -v irssi >/dev/null 2>&1 || need_apt+=(irssi)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "testbed: installing ${need_apt[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${need_apt[@]}" >/tmp/crier-apt.log 2>&1; then
    apt-get update >/dev/null 2>&1
    apt-get install -y --no-install-recommends "${need_apt[@]}" >/tmp/crier-apt.log 2>&1 || { tail -20 /tmp/crier-apt.log; exit 1; }
  fi
fi
# PostgreSQL for the shared-store tests: start the machine's cluster if it is installed but down, else install it.
if ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "testbed: installing postgresql (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/tmp/crier-apt.log 2>&1 ||
      { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/tmp/crier-apt.log 2>&1; }
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -n "$version" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
    # Tests connect as postgres over TCP without a password, as on the project's machines.
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if [ -f "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null 2>&1 || true
    fi
  fi
fi
if [ -f test/testbed/synapse-install.sh ]; then bash test/testbed/synapse-install.sh; fi
