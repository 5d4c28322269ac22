#!/usr/bin/env bash
# Installs the Debian packages the harness and the e2e tests call out to. Idempotent and quiet: when every
# package is already installed it does nothing at all (no `apt-get update`, no network), so CI and every
# test script can call it unconditionally.
#
# Usage (as root): scripts/install-deps.sh [extra-package ...]
set -euo pipefail

PACKAGES=(
  openssl      # CA, serving and client certificates for the control plane
  iproute2     # ip netns / veth / addresses inside test namespaces
  frr          # BGP/BFD peer routers for speaker tests
  frr-pythontools # frr-reload.py: the FRR-mode sidecar reloader in speaker/frr e2e tests
  busybox      # the sh of FRR's Alpine image, which runs speaker/frr/frr-reloader.sh in the e2e sidecar
  bird2        # second, independent BGP implementation as a peer
  arping       # L2 mode: gratuitous ARP / ARP resolution checks
  ndisc6       # L2 mode: IPv6 neighbour solicitation checks
  tcpdump      # capturing announcements inside test namespaces
  nftables     # dropping one protocol inside a test namespace (the speakers' heartbeats); tc here has no drop action
  curl         # probing LoadBalancer IPs from client namespaces
  iputils-ping # reachability checks
  procps       # pgrep/ps for process bookkeeping in scripts
  util-linux   # nsenter, unshare
  "$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
  # `install ok installed` only: a package left half-configured or removed-with-config must be reinstalled.
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}) and not running as root; re-run as root." >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"

# frr and bird2 ship services that would start in the host's network namespace and, with their default
# configs, could talk to or program the host's routing table. Tests run their own instances inside test
# namespaces, so forbid service starts for the duration of the install (policy-rc.d exit 101 = "action
# forbidden", honoured by invoke-rc.d and deb-systemd-invoke). Only remove the file if we created it.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
# Only refresh the index when something must be installed; a stale/absent index is the usual cause of
# "Unable to locate package" on fresh images.
# dpkg/debconf chatter goes to a log that is shown only when something fails.
log="$(mktemp)"
cleanup() {
  if [[ $created_policy -eq 1 ]]; then rm -f "$POLICY"; fi
  rm -f "$log"
}
if ! { apt-get "${apt_opts[@]}" update && apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"; } \
  >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: apt-get failed" >&2
  exit 1
fi

still=()
for p in "${missing[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || still+=("$p")
done
if [[ ${#still[@]} -gt 0 ]]; then
  echo "install-deps: failed to install: ${still[*]}" >&2
  exit 1
fi
echo "install-deps: done"
