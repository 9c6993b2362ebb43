#!/usr/bin/env bash
# Writes the cluster's configuration files into .cluster: kubeconfigs (admin, controller manager,
# scheduler, kubelet, kube-proxy), containerd's config, the CNI network, the kubelet's and
# kube-proxy's configurations; node 1's at the top of .cluster/conf and .cluster/cni, each extra
# node's in .cluster/conf/<node> and .cluster/cni/<node> (its kubeconfigs reach the API server at
# NODE_IP, which the API server's certificate names: 127.0.0.1 is not the machine's loopback in the
# node's network namespace). A file is rewritten only when its content changes: up.sh restarts a
# running component whose configuration is newer than the process.
#
#   configs.sh NODE_IP [ipv4|dual] [iptables|nftables|ipvs] [NODES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

node_ip="$1"
stack="${2:-ipv4}"
proxy_mode="${3:-iptables}"
nodes="${4:-1}"
pki="$CLUSTER_DIR/pki"

write_if_changed() { # FILE: stdin into FILE, leaving FILE (and its time) alone when it is the same
  local tmp="$1.new"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

write_kubeconfig() { # FILE USER CERT-NAME [SERVER]
  local server="${4:-https://127.0.0.1:$APISERVER_PORT}"
  write_if_changed "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kdiag-local
  cluster:
    server: $server
    certificate-authority: $pki/ca.crt
users:
- name: $2
  user:
    client-certificate: $pki/$3.crt
    client-key: $pki/$3.key
contexts:
- name: kdiag-local
  context:
    cluster: kdiag-local
    user: $2
current-context: kdiag-local
KC
  chmod 600 "$1"
}

mkdir -p "$CLUSTER_DIR/conf" "$CLUSTER_DIR/cni/net.d"
write_kubeconfig "$KUBECONFIG_ADMIN" kdiag-admin admin
write_kubeconfig "$CLUSTER_DIR/conf/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
write_kubeconfig "$CLUSTER_DIR/conf/scheduler.kubeconfig" system:kube-scheduler scheduler

# containerd 1.6 (config version 2): its own root, state and socket; cgroupfs; our pause image.
write_containerd_config() { # FILE VAR-DIR RUN-DIR CNI-CONF-DIR
  local var="$2" run="$3"
  write_if_changed "$1" <<TOML
version = 2
root = "$var/containerd"
state = "$run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$run/containerd.sock"

[ttrpc]
  address = "$run/containerd.sock.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$var/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  max_container_log_line_size = 16384
  # This machine gives root no CAP_SYS_RESOURCE, so an OOM score below containerd's own (the
  # sandbox's -998, a Guaranteed pod's -997) cannot be set; clamp to containerd's instead.
  restrict_oom_score_adj = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$run/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$4"
    max_conf_num = 1
TOML
}

# IPv4, and with a dual-stack cluster IPv6 too: host-local gives each pod one address per range.
if [ "$stack" = dual ]; then
  cluster_dns="[$DNS_SERVICE_IP, $DNS_SERVICE_IP6]"
  routes='[{ "dst": "0.0.0.0/0" }, { "dst": "::/0" }]'
else
  cluster_dns="[$DNS_SERVICE_IP]"
  routes='[{ "dst": "0.0.0.0/0" }]'
fi
node_pod_cidrs() { # N: node N's pod ranges, comma-separated
  if [ "$stack" = dual ]; then echo "$(node_pod_cidr "$1"),$(node_pod_cidr6 "$1")"; else node_pod_cidr "$1"; fi
}

# One bridge per node on the node's own private range used only inside this machine; no
# masquerading, so the bridge plugin adds no iptables rules.
write_cni_config() { # FILE IPAM-DATA-DIR NODE-NUMBER
  local ranges='[[{ "subnet": "'"$(node_pod_cidr "$3")"'" }]]'
  [ "$stack" != dual ] || ranges='[[{ "subnet": "'"$(node_pod_cidr "$3")"'" }], [{ "subnet": "'"$(node_pod_cidr6 "$3")"'" }]]'
  write_if_changed "$1" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "kdiag",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$POD_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$2",
        "ranges": $ranges,
        "routes": $routes
      }
    }
  ]
}
JSON
}

# An extra node's kubelet puts its pods under its own cgroup root (created by up.sh), so that every
# node's pods are told apart (and removed) by cgroup; node 1's are under /kubepods, as before.
write_kubelet_config() { # FILE ADDRESS CONTAINERD-SOCKET VAR-DIR SERVING-CERT-NAME [CGROUP-ROOT]
  local node_ip="$2" sock="$3" var="$4" cert="$5" cgroup_root=""
  [ -z "${6:-}" ] || cgroup_root="cgroupRoot: $6
"
  write_if_changed "$1" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# PID 1 is not systemd and the machine has cgroup v1.
cgroupDriver: cgroupfs
${cgroup_root}failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$sock
address: $node_ip
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
tlsCertFile: $pki/$cert.crt
tlsPrivateKeyFile: $pki/$cert.key
# The API server's exec, logs and port-forward calls: client certificate + webhook authorization.
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $pki/ca.crt
authorization:
  mode: Webhook
podLogsDir: $var/pod-logs
resolvConf: /etc/resolv.conf
# CoreDNS (the kube-dns Service); pods with the default dnsPolicy get it as their nameserver.
clusterDNS: $cluster_dns
clusterDomain: $CLUSTER_DOMAIN
# Preloaded images cannot be pulled again (there is no registry): never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
imageMinimumGCAge: 876000h
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
evictionPressureTransitionPeriod: 10s
serializeImagePulls: false
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
shutdownGracePeriod: 0s
YAML
}

# kube-proxy: clusterCIDR is the node's own pod ranges, so that it tells its node's pods from the
# rest as detectLocalMode NodeCIDR would (a Service is translated on the client's node, so traffic
# between pods is never masqueraded). Its health and metrics on loopback only, and it leaves the
# machine's sysctls alone (conntrack sizes and timeouts at 0 mean "do not set"; no NodePorts on
# 127.0.0.1, which would need route_localnet) so that cluster:down has nothing of the machine's own
# to restore.
write_kube_proxy_config() { # FILE KUBECONFIG NODE-NUMBER
  write_if_changed "$1" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: $proxy_mode
clientConnection:
  kubeconfig: $2
hostnameOverride: $(node_name "$3")
clusterCIDR: $(node_pod_cidrs "$3")
nodePortAddresses: [primary]
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  udpTimeout: 0s
  udpStreamTimeout: 0s
iptables:
  localhostNodePorts: false
YAML
}

write_kubeconfig "$CLUSTER_DIR/conf/kubelet.kubeconfig" "system:node:$NODE_NAME" kubelet-client
write_kubeconfig "$CLUSTER_DIR/conf/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
write_containerd_config "$CLUSTER_DIR/conf/containerd.toml" "$CLUSTER_VAR" "$CLUSTER_RUN" "$CLUSTER_DIR/cni/net.d"
write_cni_config "$CLUSTER_DIR/cni/net.d/10-kdiag.conflist" "$CLUSTER_VAR/cni-ipam" 1
write_kubelet_config "$CLUSTER_DIR/conf/kubelet.yaml" "$node_ip" "$CONTAINERD_SOCK" "$CLUSTER_VAR" kubelet
write_kube_proxy_config "$CLUSTER_DIR/conf/kube-proxy.yaml" "$CLUSTER_DIR/conf/kube-proxy.kubeconfig" 1

for ((n = 2; n <= nodes; n++)); do
  name="$(node_name "$n")" conf="$(node_conf "$n")" var="$(node_var "$n")" cni="$CLUSTER_DIR/cni/$(node_name "$n")/net.d"
  mkdir -p "$conf" "$cni"
  server="https://$node_ip:$APISERVER_PORT"
  write_kubeconfig "$conf/kubelet.kubeconfig" "system:node:$name" "kubelet-client-$name" "$server"
  write_kubeconfig "$conf/kube-proxy.kubeconfig" system:kube-proxy kube-proxy "$server"
  write_containerd_config "$conf/containerd.toml" "$var" "$(node_run "$n")" "$cni"
  write_cni_config "$cni/10-kdiag.conflist" "$var/cni-ipam" "$n"
  write_kubelet_config "$conf/kubelet.yaml" "$(node_address "$n")" "$(node_sock "$n")" "$var" "kubelet-$name" "/$name"
  write_kube_proxy_config "$conf/kube-proxy.yaml" "$conf/kube-proxy.kubeconfig" "$n"
done
