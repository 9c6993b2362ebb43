#!/usr/bin/env bash
# Fails when api/gen/ is not what api/kdiag.proto generates (someone edited one without the other).
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp -d)
cp -r api/gen/. "$before/"
bash scripts/gen-proto.sh
if ! diff -r "$before" api/gen >/dev/null; then
  echo "kdiag: api/gen/ is stale; run 'npm run gen' and commit the result" >&2
  diff -r "$before" api/gen | head -20 >&2
  exit 1
fi
rm -rf "$before"
