#!/usr/bin/env bash
# Builds the Kubernetes components and etcd from their Go modules into the cache, once per version.
# `go install k8s.io/kubernetes/cmd/...@v` cannot work: k8s.io/kubernetes replaces its staging
# modules with local paths that are not in the module zip (kubernetes/kubernetes#79384), so each
# build happens in a small wrapper module that points the staging modules at their published tags.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"

log() { printf '[build] %s\n' "$*" >&2; }

kube_components=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

kube_is_built() {
  for c in "${kube_components[@]}"; do [ -x "$KUBE_BIN_DIR/$c" ] || return 1; done
}

write_kube_wrapper() {
  local dir="$1" staging_version="v0.${KUBE_VERSION#v1.}"
  local upstream_mod="$dir/kubernetes.mod"
  go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" >"$dir/download.json"
  cp "$(sed -n 's/.*"GoMod": "\(.*\)",*/\1/p' "$dir/download.json")" "$upstream_mod"
  {
    echo "module kdiag.local/kubebuild"
    echo
    grep -E '^go [0-9.]+$' "$upstream_mod"
    grep -E '^godebug ' "$upstream_mod" || true
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging_version"'#p' "$upstream_mod"
    echo ")"
  } >"$dir/go.mod"
}

build_kube() {
  local dir="$KDIAG_CACHE/build/kubernetes-$KUBE_VERSION"
  mkdir -p "$dir" "$KUBE_BIN_DIR"
  write_kube_wrapper "$dir"
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local ldflags="-s -w"
  ldflags+=" -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  ( cd "$dir"
    for c in "${kube_components[@]}"; do
      [ -x "$KUBE_BIN_DIR/$c" ] && continue
      log "building $c $KUBE_VERSION"
      local cgo=0; [ "$c" = kubelet ] && cgo=1
      CGO_ENABLED=$cgo go build -mod=mod -trimpath -ldflags "$ldflags" \
        -o "$KUBE_BIN_DIR/$c.tmp" "k8s.io/kubernetes/cmd/$c"
      mv "$KUBE_BIN_DIR/$c.tmp" "$KUBE_BIN_DIR/$c"
    done )
}

build_etcd() {
  [ -x "$ETCD_BIN_DIR/etcd" ] && return 0
  local dir="$KDIAG_CACHE/build/etcd-$ETCD_VERSION"
  mkdir -p "$dir" "$ETCD_BIN_DIR"
  log "building etcd $ETCD_VERSION"
  cat >"$dir/go.mod" <<MOD
module kdiag.local/etcdbuild

go 1.24

require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/api/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/v3 $ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 $ETCD_VERSION
)
MOD
  ( cd "$dir" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "-s -w" \
      -o "$ETCD_BIN_DIR/etcd.tmp" go.etcd.io/etcd/server/v3 \
    && mv "$ETCD_BIN_DIR/etcd.tmp" "$ETCD_BIN_DIR/etcd" )
}

start=$(date +%s)
if kube_is_built && [ -x "$ETCD_BIN_DIR/etcd" ]; then
  log "cached: $KUBE_BIN_DIR, $ETCD_BIN_DIR"
  exit 0
fi
build_etcd
kube_is_built || build_kube
log "built in $(( $(date +%s) - start ))s"
