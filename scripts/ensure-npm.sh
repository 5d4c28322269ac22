#!/usr/bin/env bash
# Installs the npm packages (including the Node 24 runtime, the `node` devDependency) when they are missing
# or older than package-lock.json. The machine's own Node only runs npm itself.
#
# `npm install` rather than `npm ci`: the registry mirror here records no entries for other platforms'
# optional binaries (unrs-resolver's bindings), and `npm ci` refuses such a lock as "out of sync". `npm
# install` still installs the locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ironlb-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  npm install --no-audit --no-fund --loglevel=error 2>&1 | grep -v -e 'Unknown user config' -e EBADENGINE || true
  test -x node_modules/.bin/node || { echo "ensure-npm: the node@24 runtime did not install" >&2; exit 1; }
  touch "$stamp"
fi
