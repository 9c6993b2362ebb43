#!/usr/bin/env bash
# The README's demo: builds kdiag and its manager image, brings up the project's own local cluster
# with a distroless demo pod, and opens `kubectl kdiag shell` in it (on a TTY), or runs `ls /` and
# `ps` in it and prints them (without one).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "kdiag: the demo starts a local Kubernetes and needs root" >&2
  exit 1
fi
bash scripts/install-deps.sh
npm run --silent build
bash test/cluster/up.sh

# `kubectl kdiag` is found by kubectl's plugin discovery, as after an install.
ln -sf ../../dist/kubectl-kdiag .cluster/bin/kubectl-kdiag
export KUBECONFIG="$PWD/.cluster/kubeconfig" PATH="$PWD/.cluster/bin:$PATH"
kubectl apply -f test/cluster/fixtures/demo.yaml >/dev/null
kubectl wait --for=condition=Ready pod -l app=scratch --timeout=120s >/dev/null

if [ -t 0 ] && [ -t 1 ]; then
  echo "kdiag demo: a shell in the distroless pod (its image has no shell); 'exit' to leave" >&2
  exec kubectl kdiag shell -l app=scratch
fi
echo '$ kubectl kdiag shell -l app=scratch -- -c '"'"'ls /; ps'"'"
exec kubectl kdiag shell -l app=scratch -- -c 'ls /; ps'
