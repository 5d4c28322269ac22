#!/usr/bin/env bash
# The README's test command (`make test`) ends here. On a fresh machine it installs what the suites need
# (npm packages with the Node 24 runtime, Debian packages, the Go-built control-plane and GoBGP binaries),
# runs every jest project and ends with one plain line `tests: N passed, N failed, N skipped` that CI reads.
#
# Projects run one after another: `unit` in parallel workers; `integration` and `e2e` in band, because each
# of their files starts a real control plane (and the e2e files a network world) and two cores cannot host
# several at once without turning readiness timeouts into flakes.
#
# Env: IRONLB_TEST_PROJECTS="unit integration e2e"   which projects to run (default: all three)
#      extra arguments are passed to every jest invocation (e.g. a path filter after `--`).
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(unit integration e2e)
if [ "${IRONLB_TEST_PROJECTS:-}" != "" ]; then
  read -r -a projects <<<"$IRONLB_TEST_PROJECTS"
fi
needs_world=0
for p in "${projects[@]}"; do [ "$p" != unit ] && needs_world=1; done

scripts/ensure-npm.sh
# Node 24 from the devDependency comes first for everything below.
export PATH="$PWD/node_modules/.bin:$PATH"
# @kubernetes/client-node 2.x is ESM-only; jest's module sandbox can load it only with VM modules enabled.
export NODE_OPTIONS="--experimental-vm-modules${NODE_OPTIONS:+ $NODE_OPTIONS}"

if [ "$needs_world" = 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "make test: the integration and e2e suites need root (network namespaces, routers)." >&2
    echo "  Run as root, or only the unit suite with: IRONLB_TEST_PROJECTS=unit make test" >&2
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  scripts/install-deps.sh
  scripts/build-cluster-bins.sh
  # Leftovers of a crashed earlier run would collide with names and ports; remove them by exact prefix.
  if [ -x scripts/e2e-clean.sh ]; then scripts/e2e-clean.sh --quiet || true; fi
fi

mkdir -p .test-out
rm -f .test-out/jest-*.json
status=0

# Static checks count as tests: strict typecheck of the whole tree and of what ships alone
# (tsconfig.build.json), ESLint (including ironlb/layers, the import boundaries: eslint-rules/layers.mjs) and
# Prettier. ts-jest only typechecks the files a test imports, so without these an unused or test-less module
# could rot unseen.
static_passed=0
static_failed=0
for check in "tsc --noEmit -p tsconfig.json" "tsc --noEmit -p tsconfig.build.json" "eslint ." "prettier --check --log-level warn ."; do
  echo "== static check: $check"
  # shellcheck disable=SC2086
  if npx --no-install $check; then static_passed=$((static_passed + 1)); else
    static_failed=$((static_failed + 1))
    status=1
  fi
done
# tools/frrmetrics (the speaker image's /frr-metrics) is Go: its vet and unit tests count as one check, where
# a Go toolchain is there (build-cluster-bins.sh needs one too).
go_bin="$(command -v go || echo /usr/local/go/bin/go)"
if [ -x "$go_bin" ]; then
  echo "== static check: go vet and go test in tools/frrmetrics"
  if (cd tools/frrmetrics && GOTOOLCHAIN=local "$go_bin" vet ./... && GOTOOLCHAIN=local "$go_bin" test ./...); then
    static_passed=$((static_passed + 1))
  else
    static_failed=$((static_failed + 1))
    status=1
  fi
fi
for p in "${projects[@]}"; do
  band=()
  [ "$p" != unit ] && band=(--runInBand)
  echo "== jest project: $p"
  npx --no-install jest --selectProjects "$p" "${band[@]}" --json --outputFile=".test-out/jest-$p.json" "$@" ||
    status=$?
done

node -e '
  const fs = require("fs");
  let passed = Number(process.argv[1]), failed = Number(process.argv[2]), skipped = 0;
  for (const p of process.argv.slice(3)) {
    const f = `.test-out/jest-${p}.json`;
    // A project that produced no report crashed before running: count it as one failure, never as zero.
    if (!fs.existsSync(f)) { failed += 1; console.error(`${p}: jest wrote no report`); continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$static_passed" "$static_failed" "${projects[@]}"
exit "$status"
