#!/usr/bin/env bash
# The README's test command (`make test`) ends here. On a fresh machine it installs what the suites need
# (npm packages; as the harness grows: Debian packages and Go-built cluster binaries), runs every jest project
# and ends with one plain line `tests: N passed, N failed` that CI reads.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-npm.sh
# Node 24 from the devDependency comes first for everything below.
export PATH="$PWD/node_modules/.bin:$PATH"

projects=(unit)
if [ "${IRONLB_TEST_PROJECTS:-}" != "" ]; then
  read -r -a projects <<<"$IRONLB_TEST_PROJECTS"
fi

mkdir -p .test-out
result=.test-out/jest.json
rm -f "$result"
status=0
npx --no-install jest --selectProjects "${projects[@]}" --json --outputFile="$result" "$@" || status=$?

if [ -f "$result" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`);
  ' "$result"
else
  echo "tests: 0 passed, 1 failed"
fi
exit "$status"
