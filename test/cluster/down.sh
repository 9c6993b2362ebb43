#!/usr/bin/env bash
# Stops the local cluster (npm run cluster:down) and removes everything it created, on every node:
# every pod's processes and containerd's shims, the components, mounts, the pods' network namespaces
# and veths, the bridge, the extra nodes' network namespaces (their rules with them), the bridge
# joining them and its routes, the rules of the kubelet, the CNI and kube-proxy (iptables chains in
# both backends, nftables tables, ipvs virtual servers and its dummy link), cgroups and state. Safe
# to run again.
# test/cluster/check-clean.sh lists whatever would be left.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
. "$here/procs.sh"

[ "$(id -u)" = 0 ] || { echo "kdiag: cluster:down needs root" >&2; exit 1; }
started=$(date +%s)
mkdir -p "$CLUSTER_DIR"
exec 9>"$CLUSTER_DIR/.lock"
flock 9

pids_of() { "$@" | cut -d' ' -f1; }

component_pid() { # NAME: its pid, from the pid file or (when that is gone) from what runs
  cluster_component_pids | awk -v n="$1" '$2 == n {print $1}'
}

# 1. The kubelets first, so that nothing restarts containers while they are being killed; kube-proxy,
#    so that it writes no rule while they are removed; then the controllers and the scheduler.
for c in kubelet kube-proxy kube-scheduler kube-controller-manager; do
  pids=($(component_pid "$c"))
  [ ${#pids[@]} -eq 0 ] || { log "stopping $c"; stop_pids "${pids[@]}"; }
done

# 2. Every process in a pod, then the shims (their sockets with them).
for attempt in 1 2 3 4 5; do
  pids=($(pids_of cluster_pod_pids))
  [ ${#pids[@]} -eq 0 ] && break
  [ "$attempt" = 1 ] && log "killing ${#pids[@]} pod processes"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.3
done
shims=($(pids_of cluster_shim_pids))
if [ ${#shims[@]} -gt 0 ]; then
  log "stopping ${#shims[@]} containerd shims"
  sockets=()
  for p in "${shims[@]}"; do
    # A shim listens on one unix socket; killing it leaves the socket file behind.
    while read -r path; do sockets+=("$path"); done < <(
      ss -xlpH 2>/dev/null | awk -v pid="pid=$p," 'index($0, pid) {print $5}' | grep '^/' || true)
  done
  stop_pids "${shims[@]}"
  [ ${#sockets[@]} -eq 0 ] || rm -f "${sockets[@]}"
fi

# 3. The rest of the components.
for c in kube-apiserver etcd containerd; do
  pids=($(component_pid "$c"))
  [ ${#pids[@]} -eq 0 ] || { log "stopping $c"; stop_pids "${pids[@]}"; }
done
rm -rf "$CLUSTER_DIR/pids"

# 4. Mounts (rootfs overlays, shm, secret and token tmpfs), then the pods' network namespaces,
#    which takes their veths with them, then the bridge.
while read -r m; do
  [ -n "$m" ] || continue
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
done < <(cluster_mounts)
for ns in $(cluster_netns); do
  ip netns delete "$ns" 2>/dev/null || log "could not delete network namespace $ns"
done
if ip link show "$POD_BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$POD_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$POD_BRIDGE"
fi
# The extra nodes: their namespaces take their bridges, rules and veths (with the machine's ends)
# along, once no process holds them; the machine's ends go explicitly too, should one still do; the
# machine's bridge takes the routes through it.
for ns in $(cluster_node_netns); do
  ip netns delete "$ns" 2>/dev/null || log "could not delete network namespace $ns"
done
for veth in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^kdiag-n[0-9]+$' || true); do
  ip link delete "$veth" 2>/dev/null || true
done
ip link delete "$NODE_BRIDGE" 2>/dev/null || true
nft delete table inet "$NODE_BRIDGE" 2>/dev/null || true

# 5. kube-proxy's rules of every mode, by kube-proxy itself (it knows its ipvs virtual servers, which
#    no tool of this machine lists); then whatever it could not remove: its nftables tables, its
#    dummy link, and below, with the kubelet's (KUBE-*) and the CNI plugins' (CNI-*) chains, its
#    iptables chains in both backends.
if [ -x "$KUBE_BIN_DIR/kube-proxy" ]; then
  proxy_config=(); [ -f "$CLUSTER_DIR/conf/kube-proxy.yaml" ] && proxy_config=(--config="$CLUSTER_DIR/conf/kube-proxy.yaml")
  "$KUBE_BIN_DIR/kube-proxy" --cleanup "${proxy_config[@]}" >>"$CLUSTER_DIR/logs/kube-proxy-cleanup.log" 2>&1 || true
fi
for family in ip ip6 inet; do
  nft delete table "$family" kube-proxy 2>/dev/null || true
done
ip link delete kube-ipvs0 2>/dev/null || true

clean_iptables() { # COMMAND
  command -v "$1" >/dev/null || return 0
  local table tables=(filter nat mangle raw) rules rule chain
  # Listing a legacy table creates it: only look at the legacy tables that exist.
  case "$1" in
    iptables-legacy) mapfile -t tables </proc/net/ip_tables_names ;;
    ip6tables-legacy) mapfile -t tables </proc/net/ip6_tables_names ;;
  esac
  for table in "${tables[@]}"; do
    rules="$("$1" -w -t "$table" -S 2>/dev/null)" || continue
    while read -r rule; do
      [ -n "$rule" ] || continue
      eval "\"\$1\" -w -t \"\$table\" ${rule/#-A/-D}" 2>/dev/null || true
    done < <(printf '%s\n' "$rules" | grep -E '^-A [^ ]+ .*-j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' || true)
    for chain in $(printf '%s\n' "$rules" | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
      "$1" -w -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(printf '%s\n' "$rules" | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
      "$1" -w -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}
for cmd in iptables ip6tables iptables-legacy ip6tables-legacy; do clean_iptables "$cmd"; done

# 6. Cgroups of pods (and the extra nodes' cgroup roots), and every bit of state.
for d in $(cluster_cgroups); do
  find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
rm -rf "$CLUSTER_VAR" "$CLUSTER_RUN"
find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name logs ! -name .lock -exec rm -rf {} +
log "cluster down in $(( $(date +%s) - started ))s"
