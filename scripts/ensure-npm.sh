#!/usr/bin/env bash
# Installs the npm packages (including the Node 24 runtime, the `node` devDependency) with `npm ci` when they
# are missing or older than package-lock.json. The machine's own Node only runs npm itself.
#
# package.json overrides unrs-resolver (jest's resolver) to 1.12.2: its 1.13.0 is published for Linux only,
# so a lock made with it lacks the other platforms' optional bindings and `npm ci` rejects it as out of sync.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ironlb-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log="$(mktemp)"
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    grep -v -e 'Unknown user config' "$log" >&2
    rm -f "$log"
    echo "ensure-npm: npm ci failed" >&2
    exit 1
  fi
  rm -f "$log"
  test -x node_modules/.bin/node || { echo "ensure-npm: the node@24 runtime did not install" >&2; exit 1; }
  touch "$stamp"
fi
