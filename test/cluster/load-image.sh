#!/usr/bin/env bash
# Imports image archives (`docker save` style or OCI layout tars) into every node's containerd of
# the local cluster, namespace k8s.io, where the kubelet finds them; use pull policy Never or IfNotPresent.
#
#   npm run cluster:load-image -- ARCHIVE...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

[ $# -gt 0 ] || { echo "usage: npm run cluster:load-image -- ARCHIVE..." >&2; exit 2; }
nodes="$(running_nodes)"
for ((n = 1; n <= nodes; n++)); do
  if ! ctr --address "$(node_sock "$n")" version >/dev/null 2>&1; then
    echo "kdiag: the local cluster's containerd of $(node_name "$n") is not running at $(node_sock "$n"); start it with npm run cluster:up" >&2
    exit 1
  fi
done
for archive in "$@"; do
  [ -f "$archive" ] || { echo "kdiag: no such image archive: $archive" >&2; exit 1; }
done
for archive in "$@"; do
  # Every node gets the image: a pod may be scheduled on any of them.
  for ((n = 1; n <= nodes; n++)); do
    if ! out="$(ctr --address "$(node_sock "$n")" -n k8s.io images import "$archive" 2>&1)"; then
      printf 'kdiag: importing %s into %s failed:\n%s\n' "$archive" "$(node_name "$n")" "$out" >&2
      exit 1
    fi
    [ "$n" = 1 ] || continue
    # ctr reports the names it stored, normalized with the default registry host; show them as given.
    printf '%s\n' "$out" | sed -n 's/^unpacking \([^ ]*\) .*/\1/p' | sed 's#^[^/]*[.:][^/]*/##; s/^library\///; s/^/loaded /'
  done
done
