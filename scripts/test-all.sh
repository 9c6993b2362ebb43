#!/usr/bin/env bash
# Runs every test tier: unit, namespace (real netns + nftables + enter) and end-to-end (the
# project's own local Kubernetes). This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "kdiag: the test tiers need root (network namespaces, nftables, a local cluster); run as root" >&2
  exit 1
fi
started=$(date +%s)
bash scripts/install-deps.sh
bash scripts/check-generated.sh
npm run --silent build
npm run --silent typecheck
# Should a step fail before the teardown test runs, still leave no cluster running behind us.
trap 'bash test/cluster/down.sh >/dev/null 2>&1 || true' EXIT
bash test/cluster/up.sh --dual-stack --nodes 2
# One runner invocation, one file at a time, so there is one summary and tiers do not fight over
# the machine's two cores. Node 20 runs the files in path order (cluster, dist, e2e, namespace,
# teardown, unit): the teardown test, which takes the cluster down and checks that nothing of it
# is left (processes, mounts, netns, links, rules), comes after every file that needs the cluster.
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/unit/*.test.ts test/namespace/*.test.ts test/dist/*.test.ts test/cluster/*.test.ts test/e2e/*.test.ts \
  test/teardown/*.test.ts
echo "all tiers finished in $(( $(date +%s) - started ))s"
