# Pinned versions of everything the local cluster builds; sourced by the cluster scripts.
KUBE_VERSION=v1.34.4
ETCD_VERSION=v3.6.16
COREDNS_VERSION=v1.14.7
KDIAG_CACHE="${KDIAG_CACHE:-$HOME/.cache/kdiag}"
KUBE_BIN_DIR="$KDIAG_CACHE/kubernetes-$KUBE_VERSION/bin"
ETCD_BIN_DIR="$KDIAG_CACHE/etcd-$ETCD_VERSION/bin"
COREDNS_BIN_DIR="$KDIAG_CACHE/coredns-$COREDNS_VERSION/bin"
