# Finds the local cluster's processes by what they are, not by name patterns; sourced by down.sh and
# check-clean.sh after lib.sh. Each function prints "PID DESCRIPTION" lines.
# shellcheck shell=bash

# The components of every node: binaries from the version caches, and the containerds started with
# our configs (node 1's .cluster/conf/containerd.toml, node N's .cluster/conf/kdiag-node-N/…).
# (One find over /proc instead of a readlink per process: this runs often and must be quick.)
cluster_component_pids() {
  local pid exe cmdline
  while read -r pid exe; do
    pid="${pid#/proc/}"
    case "$exe" in
      "$KUBE_BIN_DIR"/*|"$ETCD_BIN_DIR"/*) echo "$pid ${exe##*/}" ;;
      */containerd)
        cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || continue
        case "$cmdline" in *".cluster/conf/"*"containerd.toml"*) echo "$pid containerd" ;; esac ;;
    esac
  done < <(find /proc -mindepth 2 -maxdepth 2 -name exe -printf '%h %l\n' 2>/dev/null)
}

# containerd's shims of our containerds (they outlive them by design); every node's socket is
# under $CLUSTER_RUN.
cluster_shim_pids() {
  local comm pid cmdline
  while IFS= read -r comm; do
    pid="${comm#/proc/}"; pid="${pid%/comm}"
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || continue
    case "$cmdline" in *"-address $CLUSTER_RUN/"*"containerd.sock "*) echo "$pid containerd-shim-runc-v2" ;; esac
  done < <(grep -lx containerd-shim /proc/[0-9]*/comm 2>/dev/null)
}

# The cgroups of the cluster: node 1's kubelet puts pods under kubepods (cgroupfs driver), an extra
# node's under its own cgroup root named for the node.
cluster_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/"$NODE_NAME"-*; do
    [ -d "$d" ] || continue
    echo "$d"
  done
}

# Every process in a pod of any node.
cluster_pod_pids() {
  local d pid
  for d in $(cluster_cgroups); do
    [ -d "$d" ] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
      echo "$pid $(cat "/proc/$pid/comm" 2>/dev/null || echo gone)"
    done
  done | sort -un
}

# Network namespaces created by containerd for our pods: named cni-*, with an address in the pod
# ranges of any node, or with no interface but lo (a sandbox whose network set-up failed).
cluster_netns() {
  local ns prefix="${POD_SUPERNET%.*.*}."
  for ns in /run/netns/cni-*; do
    [ -e "$ns" ] || continue
    ns="${ns##*/}"
    if ip -n "$ns" -4 -o addr show 2>/dev/null | grep -q " inet ${prefix//./\\.}"; then
      echo "$ns"
    elif [ -z "$(ip -n "$ns" -o link show 2>/dev/null | grep -v ': lo:')" ]; then
      echo "$ns"
    fi
  done
}

# The extra nodes' network namespaces (node-network.sh).
cluster_node_netns() {
  local ns
  for ns in /run/netns/"$NODE_NAME"-*; do
    [ -e "$ns" ] || continue
    echo "${ns##*/}"
  done
}

# Mount points under the cluster's state directories, deepest first (netns: cluster_netns).
cluster_mounts() {
  awk '{print $5}' /proc/self/mountinfo | while read -r m; do
    m="$(printf '%b' "$m")"
    case "$m" in
      "$CLUSTER_VAR"|"$CLUSTER_VAR"/*|"$CLUSTER_RUN"|"$CLUSTER_RUN"/*) echo "$m" ;;
    esac
  done | awk '{print length($0) " " $0}' | sort -rn | cut -d' ' -f2-
}
