#!/usr/bin/env bash
# Imports image archives (`docker save` style or OCI layout tars) into the local cluster's
# containerd, namespace k8s.io, where the kubelet finds them; use pull policy Never or IfNotPresent.
#
#   npm run cluster:load-image -- ARCHIVE...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

[ $# -gt 0 ] || { echo "usage: npm run cluster:load-image -- ARCHIVE..." >&2; exit 2; }
if ! ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
  echo "kdiag: the local cluster's containerd is not running at $CONTAINERD_SOCK; start it with npm run cluster:up" >&2
  exit 1
fi
for archive in "$@"; do
  [ -f "$archive" ] || { echo "kdiag: no such image archive: $archive" >&2; exit 1; }
  if ! out="$(ctr_k8s images import "$archive" 2>&1)"; then
    printf 'kdiag: importing %s failed:\n%s\n' "$archive" "$out" >&2
    exit 1
  fi
  # ctr reports the names it stored, normalized with the default registry host; show them as given.
  printf '%s\n' "$out" | sed -n 's/^unpacking \([^ ]*\) .*/\1/p' | sed 's#^[^/]*[.:][^/]*/##; s/^library\///; s/^/loaded /'
done
