#!/usr/bin/env bash
# Writes the cluster's configuration files into .cluster: kubeconfigs (admin, controller manager,
# scheduler, kubelet, kube-proxy), containerd's config, the CNI network, the kubelet's and
# kube-proxy's configurations. A file is rewritten only when its content changes: up.sh restarts a
# running component whose configuration is newer than the process.
#
#   configs.sh NODE_IP [ipv4|dual] [iptables|nftables|ipvs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

node_ip="$1"
stack="${2:-ipv4}"
proxy_mode="${3:-iptables}"
pki="$CLUSTER_DIR/pki"
server="https://127.0.0.1:$APISERVER_PORT"

write_if_changed() { # FILE: stdin into FILE, leaving FILE (and its time) alone when it is the same
  local tmp="$1.new"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

write_kubeconfig() { # FILE USER CERT-NAME
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
write_kubeconfig "$CLUSTER_DIR/conf/kubelet.kubeconfig" "system:node:$NODE_NAME" kubelet-client
write_kubeconfig "$CLUSTER_DIR/conf/kube-proxy.kubeconfig" system:kube-proxy kube-proxy

# containerd 1.6 (config version 2): its own root, state and socket; cgroupfs; our pause image.
write_if_changed "$CLUSTER_DIR/conf/containerd.toml" <<TOML
version = 2
root = "$CLUSTER_VAR/containerd"
state = "$CLUSTER_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = "$CLUSTER_RUN/containerd.sock.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_VAR/opt"

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
        Root = "$CLUSTER_RUN/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
    max_conf_num = 1
TOML

# IPv4, and with a dual-stack cluster IPv6 too: host-local gives each pod one address per range.
if [ "$stack" = dual ]; then
  cluster_dns="[$DNS_SERVICE_IP, $DNS_SERVICE_IP6]" pod_cidrs="$POD_CIDR,$POD_CIDR6"
  ranges='[[{ "subnet": "'"$POD_CIDR"'" }], [{ "subnet": "'"$POD_CIDR6"'" }]]'
  routes='[{ "dst": "0.0.0.0/0" }, { "dst": "::/0" }]'
else
  cluster_dns="[$DNS_SERVICE_IP]" pod_cidrs="$POD_CIDR"
  ranges='[[{ "subnet": "'"$POD_CIDR"'" }]]'
  routes='[{ "dst": "0.0.0.0/0" }]'
fi

# One bridge on a private range used only inside this machine; no masquerading, so the bridge
# plugin adds no iptables rules.
write_if_changed "$CLUSTER_DIR/cni/net.d/10-kdiag.conflist" <<JSON
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
        "dataDir": "$CLUSTER_VAR/cni-ipam",
        "ranges": $ranges,
        "routes": $routes
      }
    }
  ]
}
JSON

write_if_changed "$CLUSTER_DIR/conf/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# PID 1 is not systemd and the machine has cgroup v1.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $node_ip
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
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
podLogsDir: $CLUSTER_VAR/pod-logs
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

# kube-proxy: its health and metrics on loopback only, and it leaves the machine's sysctls alone
# (conntrack sizes and timeouts at 0 mean "do not set"; no NodePorts on 127.0.0.1, which would need
# route_localnet) so that cluster:down has nothing of the machine's own to restore.
write_if_changed "$CLUSTER_DIR/conf/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: $proxy_mode
clientConnection:
  kubeconfig: $CLUSTER_DIR/conf/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $pod_cidrs
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
