#!/usr/bin/env bash
# Installs the npm packages (including the Node 24 runtime, the `node` devDependency) when they are missing
# or older than package-lock.json. The machine's own Node only runs npm itself.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ironlb-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
