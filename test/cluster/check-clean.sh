#!/usr/bin/env bash
# Lists what the local cluster left on this machine, one "KIND: WHAT" line each (kinds: process,
# mount, netns, link, rule, cgroup, state; rules are iptables rules and chains of both backends,
# nftables tables and ipvs virtual servers); prints nothing and exits 0 when nothing is left.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
. "$here/procs.sh"

# Rules that name the cluster's chains or either pod range.
leftover_rule='KUBE-|CNI-|'"${POD_CIDR%.*}"'\.|'"${POD_CIDR6%::*}"':'

{
  cluster_component_pids | sed 's/^/process: /'
  cluster_shim_pids | sed 's/^/process: /'
  cluster_pod_pids | sed 's/^/process: /'
  cluster_mounts | sed 's/^/mount: /'
  for ns in /run/netns/cni-*; do [ -e "$ns" ] && echo "netns: ${ns##*/}"; done
  ip link show "$POD_BRIDGE" >/dev/null 2>&1 && echo "link: $POD_BRIDGE"
  # The bridge plugin names the host side of a pod's veth pair veth<8 hex digits>.
  ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 \
    | grep -E '^veth[0-9a-f]{8}$' | sed 's/^/link: /' || true
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle raw; do
      "$cmd" -w -t "$table" -S 2>/dev/null | grep -E "$leftover_rule" \
        | sed "s/^/rule: $cmd -t $table /" || true
    done
  done
  for cmd in iptables-legacy ip6tables-legacy; do
    command -v "$cmd" >/dev/null || continue
    names=/proc/net/ip_tables_names; [ "$cmd" = ip6tables-legacy ] && names=/proc/net/ip6_tables_names
    for table in $(cat "$names" 2>/dev/null); do
      "$cmd" -w -t "$table" -S 2>/dev/null | grep -E "$leftover_rule" \
        | sed "s/^/rule: $cmd -t $table /" || true
    done
  done
  # kube-proxy's nftables tables, ipvs virtual servers (the kernel lists them only once ip_vs is
  # loaded) and ipvs mode's dummy link.
  nft list tables 2>/dev/null | awk '$3 == "kube-proxy" {print "rule: nft table " $2 " " $3}' || true
  [ -r /proc/net/ip_vs ] && awk 'NR > 3 && $1 ~ /^(TCP|UDP|SCTP|FWM)$/ {print "rule: ipvs virtual server " $1 " " $2}' /proc/net/ip_vs
  ip link show kube-ipvs0 >/dev/null 2>&1 && echo "link: kube-ipvs0"
  for d in /sys/fs/cgroup/*/kubepods; do [ -d "$d" ] && echo "cgroup: $d"; done
  for d in "$CLUSTER_VAR" "$CLUSTER_RUN"; do [ -e "$d" ] && echo "state: $d"; done
} >"${TMPDIR:-/tmp}/kdiag-check-clean.$$" 2>/dev/null || true
left="${TMPDIR:-/tmp}/kdiag-check-clean.$$"
cat "$left"
if [ -s "$left" ]; then rm -f "$left"; exit 1; fi
rm -f "$left"
