#!/usr/bin/env bash
# `make demo`: a local cluster with ironlb installed the operator way: the operator from its bundle's CSV
# (e2e/install/olm.ts standing in for OLM), then the MetalLB resource (control plane in a management namespace,
# three simulated nodes with process kubelets, an FRR router), left running for kubectl until Ctrl-C. Installs what it needs first: npm packages (Node 24 included), Debian packages, the Go-built
# control-plane binaries. Needs root (network namespaces).
#
# `make demo-down` (scripts/demo.sh down): stops a running demo by the PID it recorded in e2e/.run/demo/owner,
# then removes whatever a crashed run left behind (scripts/e2e-clean.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_DIR=e2e/.run/demo

if [ "$(id -u)" != 0 ]; then
  echo "demo: must run as root (it creates network namespaces)" >&2
  exit 1
fi

# Field 22 of /proc/PID/stat, as e2e-clean.sh reads it: a recorded PID counts only while its start time matches.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  awk '{print $20}' <<<"$stat"
}

recorded_pid() {
  local pid start
  [ -f "$DEMO_DIR/owner" ] || return 1
  read -r pid start <"$DEMO_DIR/owner" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(start_time "$pid" || true)" = "$start" ] || return 1
  echo "$pid"
}

if [ "${1:-}" = down ]; then
  if pid=$(recorded_pid); then
    start=$(start_time "$pid")
    alive() { [ "$(start_time "$pid" || true)" = "$start" ]; }
    echo "demo-down: stopping the demo (pid $pid)"
    kill -TERM "$pid"
    # The owner file goes first; wait for the process itself, so e2e-clean sees its runs as finished.
    for _ in $(seq 1 120); do alive || break; sleep 0.5; done
    if alive; then
      echo "demo-down: pid $pid did not stop within 60s; killing it" >&2
      kill -KILL "$pid" || true
    fi
  else
    echo "demo-down: no demo is running"
  fi
  scripts/e2e-clean.sh
  exit 0
fi

if pid=$(recorded_pid); then
  echo "demo: already running (pid $pid); stop it with: make demo-down" >&2
  exit 1
fi

scripts/ensure-npm.sh
scripts/install-deps.sh
# The router is FRR (a Debian package); GoBGP is only for the tests.
scripts/build-cluster-bins.sh k8s etcd

export PATH="$PWD/node_modules/.bin:$PATH"
exec node -r ts-node/register/transpile-only e2e/demo/main.ts
