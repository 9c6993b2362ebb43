# Shared settings and helpers of the local cluster scripts; sourced, never run.
# shellcheck shell=bash
cluster_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$cluster_here/versions.sh"

REPO_ROOT="$(cd "$cluster_here/../.." && pwd)"
# configs, certificates, kubeconfig, logs, pids; the real path (a git worktree may link .cluster to
# the main checkout's), so that the components' command lines read the same from every checkout
CLUSTER_DIR="$(realpath -m "$REPO_ROOT/.cluster")"
CLUSTER_VAR=/var/lib/kdiag-cluster           # runtime state that needs a real filesystem
CLUSTER_RUN=/run/kdiag-cluster               # sockets and containerd's state
CONTAINERD_SOCK="$CLUSTER_RUN/containerd.sock"
NODE_NAME=kdiag-node
POD_CIDR=10.88.0.0/24
POD_CIDR6=fd00:88::/64                       # dual-stack only (cluster:up --dual-stack)
POD_BRIDGE=kdiag0                            # in each node's network namespace (node 1's: the machine's)
# Every node's pod ranges lie in these: node N has 10.88.<N-1>.0/24 and fd00:88:0:<N-1>::/64.
POD_SUPERNET=10.88.0.0/16
POD_SUPERNET6=fd00:88::/48
SERVICE_CIDR=10.96.0.0/24
SERVICE_CIDR6=fd00:96::/112                  # dual-stack only
DNS_SERVICE_IP=10.96.0.10                   # the kube-dns Service (CoreDNS)
DNS_SERVICE_IP6=fd00:96::a                   # its IPv6 address on a dual-stack cluster
CLUSTER_DOMAIN=cluster.local
PROXY_MODES="iptables nftables ipvs"         # kube-proxy's modes (cluster:up --proxy-mode)
APISERVER_PORT=6443
ETCD_PORT=2379
PAUSE_IMAGE=kdiag/pause:3.10
COREDNS_IMAGE="kdiag/coredns:$COREDNS_VERSION"
# Extra nodes (cluster:up --nodes N): node N (2, 3, …) is kdiag-node-N, in the network namespace of
# that name, whose eth0 is joined to the bridge kdiag-nodes on the machine; the node's address is
# 10.89.0.N (and fd00:89::N when dual-stack), the machine's side of the bridge 10.89.0.1 (fd00:89::1).
MAX_NODES=8
NODE_BRIDGE=kdiag-nodes
NODE_NET=10.89.0.0/24
NODE_NET6=fd00:89::/64
NODE_GATEWAY=10.89.0.1
NODE_GATEWAY6=fd00:89::1
# The pinned components, in start order.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

KUBECTL="$CLUSTER_DIR/bin/kubectl"
KUBECONFIG_ADMIN="$CLUSTER_DIR/kubeconfig"

# node_name N: the name of node N (1 is kdiag-node)
node_name() { if [ "$1" = 1 ]; then echo "$NODE_NAME"; else echo "$NODE_NAME-$1"; fi; }
# node_pod_cidr N, node_pod_cidr6 N: node N's pod ranges (node 1's as they always were)
node_pod_cidr() { if [ "$1" = 1 ]; then echo "$POD_CIDR"; else echo "10.88.$(( $1 - 1 )).0/24"; fi; }
node_pod_cidr6() { if [ "$1" = 1 ]; then echo "$POD_CIDR6"; else printf 'fd00:88:0:%x::/64\n' $(( $1 - 1 )); fi; }
# node_address N, node_address6 N: an extra node's addresses on the bridge kdiag-nodes
node_address() { echo "${NODE_GATEWAY%.*}.$1"; }
node_address6() { echo "${NODE_GATEWAY6%:*}:$1"; }
# An extra node's own directories and containerd socket (node 1's are the top-level ones).
node_var() { echo "$CLUSTER_VAR/$(node_name "$1")"; }
node_run() { echo "$CLUSTER_RUN/$(node_name "$1")"; }
node_conf() { echo "$CLUSTER_DIR/conf/$(node_name "$1")"; }
node_sock() { if [ "$1" = 1 ]; then echo "$CONTAINERD_SOCK"; else echo "$(node_run "$1")/containerd.sock"; fi; }
# The node count of the running cluster (.cluster/nodes; 1 when it has none).
running_nodes() { cat "$CLUSTER_DIR/nodes" 2>/dev/null || echo 1; }

log() { printf '[cluster] %s\n' "$*" >&2; }

# The node's address: the source address of the default route (the kubelet refuses loopback).
detect_node_ip() {
  local ip
  ip="$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)"
  [ -n "$ip" ] || ip="$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)"
  [ -n "$ip" ] || { log "no global IPv4 address on this machine for the node"; return 1; }
  printf '%s\n' "$ip"
}

# The node's IPv6 address for a dual-stack cluster: the source of the default IPv6 route, else the
# first global one. Prints nothing when the machine has none.
detect_node_ip6() {
  local ip
  ip="$(ip -6 route get 2001:db8::1 2>/dev/null | sed -n 's/.* src \([0-9a-f:]*\).*/\1/p' | head -1)"
  [ -n "$ip" ] || ip="$(ip -6 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)"
  printf '%s\n' "$ip"
}

pid_of() { cat "$CLUSTER_DIR/pids/$1" 2>/dev/null || true; }

# PID is alive: exists and is not a zombie (this machine's init reaps orphans late).
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}

is_running() {
  local pid; pid="$(pid_of "$1")"
  [ -n "$pid" ] && pid_alive "$pid"
}

# stop_pids PIDS...: SIGTERM, up to 1 s to exit, then SIGKILL (all state is discarded anyway)
stop_pids() {
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  local i p alive
  for i in $(seq 10); do
    alive=0
    for p in "$@"; do pid_alive "$p" && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  kill -KILL "$@" 2>/dev/null || true
  sleep 0.2
}

kubectl_admin() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
