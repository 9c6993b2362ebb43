#!/usr/bin/env bash
# Lists what the local cluster left on this machine, one "KIND: WHAT" line each (kinds: process,
# mount, netns, link, route, rule, cgroup, state; rules are iptables rules and chains of both
# backends, nftables tables and ipvs virtual servers, on the machine and in an extra node's network
# namespace left behind); prints nothing and exits 0 when nothing is left.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
. "$here/procs.sh"

# Rules and routes that name the cluster's chains, its pod ranges or its nodes' network.
leftover_rule='KUBE-|CNI-|'"${POD_SUPERNET%.*.*}"'\.|'"${POD_SUPERNET6%::*}"':|'"${NODE_NET%.*}"'\.|'"${NODE_NET6%::*}"':'

# rules_in PREFIX [NETNS]: the leftover rules of iptables (both backends), nftables and ipvs
rules_in() {
  local prefix="$1" in=() cmd table names
  [ -z "${2:-}" ] || in=(ip netns exec "$2")
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle raw; do
      "${in[@]}" "$cmd" -w -t "$table" -S 2>/dev/null | grep -E "$leftover_rule" \
        | sed "s/^/rule: $prefix$cmd -t $table /" || true
    done
  done
  for cmd in iptables-legacy ip6tables-legacy; do
    command -v "$cmd" >/dev/null || continue
    names=/proc/net/ip_tables_names; [ "$cmd" = ip6tables-legacy ] && names=/proc/net/ip6_tables_names
    for table in $("${in[@]}" cat "$names" 2>/dev/null); do
      "${in[@]}" "$cmd" -w -t "$table" -S 2>/dev/null | grep -E "$leftover_rule" \
        | sed "s/^/rule: $prefix$cmd -t $table /" || true
    done
  done
  # kube-proxy's nftables tables, ipvs virtual servers (the kernel lists them only once ip_vs is
  # loaded) and ipvs mode's dummy link.
  "${in[@]}" nft list tables 2>/dev/null | awk -v p="$prefix" '$3 == "kube-proxy" {print "rule: " p "nft table " $2 " " $3}' || true
  "${in[@]}" test -r /proc/net/ip_vs && "${in[@]}" awk -v p="$prefix" 'NR > 3 && $1 ~ /^(TCP|UDP|SCTP|FWM)$/ {print "rule: " p "ipvs virtual server " $1 " " $2}' /proc/net/ip_vs
  "${in[@]}" ip link show kube-ipvs0 >/dev/null 2>&1 && echo "link: ${prefix}kube-ipvs0"
  return 0
}

{
  cluster_component_pids | sed 's/^/process: /'
  cluster_shim_pids | sed 's/^/process: /'
  cluster_pod_pids | sed 's/^/process: /'
  cluster_mounts | sed 's/^/mount: /'
  for ns in /run/netns/cni-*; do [ -e "$ns" ] && echo "netns: ${ns##*/}"; done
  for ns in $(cluster_node_netns); do
    echo "netns: $ns"
    rules_in "$ns: " "$ns"
  done
  ip link show "$POD_BRIDGE" >/dev/null 2>&1 && echo "link: $POD_BRIDGE"
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 && echo "link: $NODE_BRIDGE"
  nft list table inet "$NODE_BRIDGE" >/dev/null 2>&1 && echo "rule: nft table inet $NODE_BRIDGE"
  # The machine's ends of the extra nodes' veth pairs (node-network.sh).
  ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 \
    | grep -E '^kdiag-n[0-9]+$' | sed 's/^/link: /' || true
  { ip -4 route show; ip -6 route show; } 2>/dev/null | grep -E "$leftover_rule" | sed 's/^/route: /' || true
  # The bridge plugin names the host side of a pod's veth pair veth<8 hex digits>.
  ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 \
    | grep -E '^veth[0-9a-f]{8}$' | sed 's/^/link: /' || true
  rules_in ""
  cluster_cgroups | sed 's/^/cgroup: /'
  for d in "$CLUSTER_VAR" "$CLUSTER_RUN"; do [ -e "$d" ] && echo "state: $d"; done
} >"${TMPDIR:-/tmp}/kdiag-check-clean.$$" 2>/dev/null || true
left="${TMPDIR:-/tmp}/kdiag-check-clean.$$"
cat "$left"
if [ -s "$left" ]; then rm -f "$left"; exit 1; fi
rm -f "$left"
