#!/usr/bin/env bash
# Writes a `docker save`-style archive (manifest.json with RepoTags, a config JSON, layer tars) that
# `ctr images import` reads, without Docker or a registry.
#
#   docker-archive.sh --tag NAME:TAG --out FILE [--entrypoint JSON] [--cmd JSON] [--env JSON]
#                     [--workdir DIR] LAYER.tar...
#
# JSON values are arrays, e.g. --entrypoint '["/server"]' --env '["PORT=8080"]'.
# Output is deterministic: the same inputs give the same bytes.
set -euo pipefail

tag="" out="" entrypoint="null" cmd="null" env='["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' workdir="/"
layers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    --cmd) cmd="$2"; shift 2 ;;
    --env) env="$2"; shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    -*) echo "docker-archive: unknown option $1" >&2; exit 2 ;;
    *) layers+=("$1"); shift ;;
  esac
done
[ -n "$tag" ] && [ -n "$out" ] && [ ${#layers[@]} -gt 0 ] || {
  echo "usage: docker-archive.sh --tag NAME:TAG --out FILE [options] LAYER.tar..." >&2; exit 2; }
if [[ "${tag##*/}" != *:?* || "${tag##*/}" == *:latest ]]; then  # no tag means latest, too
  echo "docker-archive: tag $tag: never tag latest (give an explicit version)" >&2
  exit 2
fi

work="$(mktemp -d "${out}.XXXXXX")"
trap 'rm -rf "$work"' EXIT

diff_ids="" layer_paths="" history=""
for layer in "${layers[@]}"; do
  sum="$(sha256sum "$layer" | cut -d' ' -f1)"
  mkdir -p "$work/$sum"
  ln "$layer" "$work/$sum/layer.tar" 2>/dev/null || cp "$layer" "$work/$sum/layer.tar"
  diff_ids+="${diff_ids:+,}\"sha256:$sum\""
  layer_paths+="${layer_paths:+,}\"$sum/layer.tar\""
  history+="${history:+,}{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"kdiag docker-archive.sh\"}"
done

config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\","
config+="\"config\":{\"Entrypoint\":$entrypoint,\"Cmd\":$cmd,\"Env\":$env,\"WorkingDir\":\"$workdir\"},"
config+="\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diff_ids]},\"history\":[$history]}"
printf '%s' "$config" >"$work/config.json"
config_sum="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$work/$config_sum.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$config_sum" "$tag" "$layer_paths" \
  >"$work/manifest.json"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --hard-dereference \
  -C "$work" -cf "$out.tmp" manifest.json "$config_sum.json" $(cd "$work" && ls -d */)
mv "$out.tmp" "$out"
