#!/usr/bin/env bash
# Installs everything the build and every test tier need on a fresh Debian machine of this kind:
# Debian packages, the pinned Go tools and the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  protobuf-compiler                       # ts-proto generation, checked in CI
  busybox-static                          # the test images' busybox
  musl-tools dpkg-dev                     # dist/ash: busybox built against musl (scripts/build-busybox.sh)
  iptables nftables iproute2 socat        # namespace tests and benchmarks
  containerd runc containernetworking-plugins  # the local cluster's runtime and CNI
  openssl conntrack ethtool util-linux procps kmod
  libcap2-bin                             # setcap: the manager image's ash keeps its capabilities
  mmdebstrap                              # the local cluster's manager image rootfs
)
krew_version=v0.4.4

log() { printf '[deps] %s\n' "$*" >&2; }

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # containerd's package starts a service; this machine has no init to start it, so keep it quiet.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# Pinned Go tools, built in a throwaway module: `go install pkg@version` also asks the proxy for
# the module's version list, which the proxy here refuses for some modules (krew).
gobin="$(go env GOPATH)/bin"
install_go_tool() { # NAME MODULE VERSION PACKAGE
  [ -x "$gobin/$1" ] && return 0
  log "building $1 from $2 $3"
  local dir; dir=$(mktemp -d)
  printf 'module kdiag.local/tools\n\ngo 1.22\n\nrequire %s %s\n' "$2" "$3" >"$dir/go.mod"
  (cd "$dir" && GOFLAGS=-mod=mod go build -o "$gobin/$1" "$4")
  rm -rf "$dir"
}
install_go_tool grpcurl github.com/fullstorydev/grpcurl v1.9.3 github.com/fullstorydev/grpcurl/cmd/grpcurl
install_go_tool validate-krew-manifest sigs.k8s.io/krew "$krew_version" sigs.k8s.io/krew/cmd/validate-krew-manifest
install_go_tool kubectl-krew sigs.k8s.io/krew "$krew_version" sigs.k8s.io/krew/cmd/krew

# node-pty compiles against the local Node headers; there is no header download here.
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
