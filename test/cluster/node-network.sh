#!/usr/bin/env bash
# Gives an extra node (2, 3, …) its network: the network namespace kdiag-node-N, whose eth0 is one
# end of a veth pair whose other end (kdiag-nN) is a port of the bridge kdiag-nodes on the machine;
# the node's addresses 10.89.0.N (and fd00:89::N when dual-stack), its default route through the
# machine (10.89.0.1, fd00:89::1), and on the machine the routes to the node's pod ranges through the
# node's address. Pods of different nodes so talk over a routed hop, unmasqueraded (node 1 is the
# machine itself: its bridge kdiag0 and pod ranges stay where they were). Idempotent; cluster:down
# removes it all with the namespace and the bridge.
#
#   node-network.sh N [ipv4|dual]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

n="$1"
stack="${2:-ipv4}"
ns="$(node_name "$n")"
veth="kdiag-n$n"
in_ns() { ip netns exec "$ns" "$@"; }

if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
  ip link add "$NODE_BRIDGE" type bridge
  ip addr add "$NODE_GATEWAY/${NODE_NET#*/}" dev "$NODE_BRIDGE"
fi
ip link set "$NODE_BRIDGE" up
# The machine forwards between the nodes (the bridge CNI plugin of node 1 turned it on already when
# the cluster has pods; IPv6 below, for a dual-stack cluster).
sysctl -qw net.ipv4.ip_forward=1
# The machine is the other nodes' router and node 1 at once, and node 1's kube-proxy would translate
# a Service address another node sent it by its default route, hiding that node's own broken
# kube-proxy. A real network's router knows no Service addresses: what comes from the other nodes
# for one is dropped before node 1's NAT sees it (the table goes with the bridge in cluster:down). With
# br_netfilter loaded (kube-proxy wants it), a packet meets these hooks first as it crosses the
# bridge, arriving on the node's port (kdiag-nN), then as the bridge's: both names are matched.
nft -f - <<NFT
table inet $NODE_BRIDGE
delete table inet $NODE_BRIDGE
table inet $NODE_BRIDGE {
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    iifname { "$NODE_BRIDGE", "kdiag-n*" } ip daddr $SERVICE_CIDR drop
    iifname { "$NODE_BRIDGE", "kdiag-n*" } ip6 daddr $SERVICE_CIDR6 drop
  }
}
NFT

[ -e "/run/netns/$ns" ] || ip netns add "$ns"
in_ns ip link set lo up
if ! ip link show "$veth" >/dev/null 2>&1; then
  ip link add "$veth" type veth peer name eth0 netns "$ns"
fi
ip link set "$veth" master "$NODE_BRIDGE" up
in_ns ip addr replace "$(node_address "$n")/${NODE_NET#*/}" dev eth0
in_ns ip link set eth0 up
in_ns ip route replace default via "$NODE_GATEWAY"
in_ns sysctl -qw net.ipv4.ip_forward=1
ip route replace "$(node_pod_cidr "$n")" via "$(node_address "$n")"

if [ "$stack" = dual ]; then
  # Without duplicate address detection, so that the addresses work at once.
  ip -6 addr replace "$NODE_GATEWAY6/${NODE_NET6#*/}" dev "$NODE_BRIDGE" nodad
  sysctl -qw net.ipv6.conf.all.forwarding=1
  in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.forwarding=1
  in_ns ip -6 addr replace "$(node_address6 "$n")/${NODE_NET6#*/}" dev eth0 nodad
  in_ns ip -6 route replace default via "$NODE_GATEWAY6"
  ip -6 route replace "$(node_pod_cidr6 "$n")" via "$(node_address6 "$n")"
fi
