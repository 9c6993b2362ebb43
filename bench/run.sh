#!/usr/bin/env bash
# Runs the benchmarks (as root: they create network namespaces). Prints figures; never a test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Measure the bundle that ships (test/namespace/fixtures/pod.ts prefers a fresh dist/manager.js).
npm run --silent build
# The CLI, image and redir benchmarks run on the local cluster (started here, or found running).
bash test/cluster/up.sh
node --import tsx bench/redirect.ts
node --import tsx bench/cli.ts
node --import tsx bench/image.ts
node --import tsx bench/redir.ts
node --import tsx bench/reach.ts
