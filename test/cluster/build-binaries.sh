#!/usr/bin/env bash
# Builds the Kubernetes components, etcd and CoreDNS from their Go modules into the cache, once per
# version; a component missing from the cache is built alone.
# `go install k8s.io/kubernetes/cmd/...@v` cannot work: k8s.io/kubernetes replaces its staging
# modules with local paths that are not in the module zip (kubernetes/kubernetes#79384), so each
# build happens in a small wrapper module that points the staging modules at their published tags.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"

log() { printf '[build] %s\n' "$*" >&2; }

kube_components=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-proxy)

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

# CoreDNS with only the plugins the cluster's Corefile uses (configs.sh): its own main package
# imports every plugin, with the cloud providers' SDKs, which would triple the build. This is
# CoreDNS's documented way to choose plugins at compile time: a main that imports them.
build_coredns() {
  [ -x "$COREDNS_BIN_DIR/coredns" ] && return 0
  local dir="$KDIAG_CACHE/build/coredns-$COREDNS_VERSION"
  mkdir -p "$dir" "$COREDNS_BIN_DIR"
  log "building coredns $COREDNS_VERSION"
  printf 'module kdiag.local/corednsbuild\n\ngo 1.24\n\nrequire github.com/coredns/coredns %s\n' \
    "$COREDNS_VERSION" >"$dir/go.mod"
  cat >"$dir/main.go" <<'GO'
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/template"
)

func main() { coremain.Run() }
GO
  ( cd "$dir" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "-s -w" \
      -o "$COREDNS_BIN_DIR/coredns.tmp" . \
    && mv "$COREDNS_BIN_DIR/coredns.tmp" "$COREDNS_BIN_DIR/coredns" )
}

start=$(date +%s)
if kube_is_built && [ -x "$ETCD_BIN_DIR/etcd" ] && [ -x "$COREDNS_BIN_DIR/coredns" ]; then
  log "cached: $KUBE_BIN_DIR, $ETCD_BIN_DIR, $COREDNS_BIN_DIR"
  exit 0
fi
build_etcd
kube_is_built || build_kube
build_coredns
log "built in $(( $(date +%s) - start ))s"
