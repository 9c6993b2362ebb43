#!/usr/bin/env bash
# Starts the project's own Kubernetes on this machine (npm run cluster:up): containerd, etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, the kubelet and kube-proxy as processes,
# the bridge CNI, the locally built images and CoreDNS; with --nodes N, N-1 more nodes, each its own
# containerd, kubelet and kube-proxy in its own network namespace (node-network.sh). Idempotent: a
# healthy running cluster is reused; what it lacks (a node too) is started, a component whose
# command line or configuration changed is restarted alone, and images are refreshed when they
# changed. Waits for every node to be Ready and CoreDNS to answer; on failure names the component
# and prints the end of its log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

# The IP families: --dual-stack (or KDIAG_DUAL_STACK=1) gives pods an IPv6 address beside the IPv4
# one and Services an IPv6 range; --single-stack (or KDIAG_DUAL_STACK=0) IPv4 only. Without either,
# a running cluster is reused as it is, and a new one is IPv4 only.
requested_stack=""
case "${KDIAG_DUAL_STACK:-}" in
  1|true|yes) requested_stack=dual ;;
  0|false|no) requested_stack=ipv4 ;;
  "") ;;
  *) echo "kdiag: KDIAG_DUAL_STACK is '$KDIAG_DUAL_STACK'; use 1 (dual-stack) or 0 (IPv4 only)" >&2; exit 2 ;;
esac
# kube-proxy's mode: --proxy-mode MODE (or KDIAG_PROXY_MODE); without either, a running cluster keeps
# its mode and a new one gets iptables. Changing it restarts kube-proxy alone, after removing the
# rules of the old mode.
requested_proxy_mode="${KDIAG_PROXY_MODE:-}"
# The node count: --nodes N (or KDIAG_NODES); without either a running cluster keeps its nodes and a
# new one has one. More nodes are added to a running cluster; fewer restart it.
requested_nodes="${KDIAG_NODES:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dual-stack) requested_stack=dual ;;
    --single-stack) requested_stack=ipv4 ;;
    --proxy-mode)
      [ $# -ge 2 ] || { echo "kdiag: --proxy-mode needs a mode: ${PROXY_MODES// /, }" >&2; exit 2; }
      requested_proxy_mode="$2"; shift ;;
    --proxy-mode=*) requested_proxy_mode="${1#*=}" ;;
    --nodes)
      [ $# -ge 2 ] || { echo "kdiag: --nodes needs a number of nodes, 1 to $MAX_NODES" >&2; exit 2; }
      requested_nodes="$2"; shift ;;
    --nodes=*) requested_nodes="${1#*=}" ;;
    *) echo "kdiag: cluster:up takes --dual-stack, --single-stack, --proxy-mode MODE or --nodes N, not '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$requested_proxy_mode" ] && [[ " $PROXY_MODES " != *" $requested_proxy_mode "* ]]; then
  echo "kdiag: proxy mode '$requested_proxy_mode' is not one of: ${PROXY_MODES// /, }" >&2
  exit 2
fi
if [ -n "$requested_nodes" ] && ! [[ "$requested_nodes" =~ ^[1-9][0-9]*$ && "$requested_nodes" -le "$MAX_NODES" ]]; then
  echo "kdiag: the number of nodes is '$requested_nodes'; use 1 to $MAX_NODES" >&2
  exit 2
fi

started=$(date +%s)
[ "$(id -u)" = 0 ] || { echo "kdiag: the local cluster needs root (containerd, kubelet, CNI)" >&2; exit 1; }
for cmd in containerd containerd-shim-runc-v2 runc ctr openssl iptables mmdebstrap gcc go; do
  command -v "$cmd" >/dev/null || { echo "kdiag: $cmd is missing; run bash scripts/install-deps.sh" >&2; exit 1; }
done
[ -x /usr/lib/cni/bridge ] || { echo "kdiag: /usr/lib/cni/bridge is missing; run bash scripts/install-deps.sh" >&2; exit 1; }

mkdir -p "$CLUSTER_DIR/logs"
exec 9>"$CLUSTER_DIR/.lock"
flock 9

fail() { # COMPONENT MESSAGE
  echo "kdiag: cluster:up failed: $1: $2" >&2
  local f="$CLUSTER_DIR/logs/$1.log"
  if [ -f "$f" ]; then
    echo "---- last lines of $f ----" >&2
    tail -n 40 "$f" >&2
    echo "----" >&2
  fi
  exit 1
}

since() { echo "$(( $(date +%s) - $1 ))s"; }

# wait_for COMPONENT SECONDS DESCRIPTION COMMAND...: polls COMMAND; fails naming COMPONENT when the
# time runs out or the component's process died.
wait_for() {
  local component="$1" seconds="$2" what="$3"; shift 3
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ -f "$CLUSTER_DIR/pids/$component" ] && ! is_running "$component"; then
      fail "$component" "the process exited while waiting for $what"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || fail "$component" "$what not reached within ${seconds}s"
    sleep 0.5
  done
}

start() { # NAME COMMAND...: a daemon in its own session, output to .cluster/logs/NAME.log
  local name="$1"; shift
  log "starting $name"
  # The daemons inherit no descriptor beyond 0-2: neither this script's lock (fd 9) nor a pipe of
  # whoever runs us (a CI runner waiting for its pipe to close would wait forever).
  local fd closers=""
  for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    [ "$fd" -gt 2 ] && closers+=" $fd>&-"
  done
  eval "setsid \"\$@\" </dev/null >\"\$CLUSTER_DIR/logs/\$name.log\" 2>&1 $closers &"
  echo $! >"$CLUSTER_DIR/pids/$name"
}

# started_at PID: when the process started, in seconds since the epoch
started_at() {
  local stat; stat="$(cat "/proc/$1/stat")"; stat="${stat##*) }"
  local fields=($stat) boot
  boot="$(awk '$1 == "btime" {print $2}' /proc/stat)"
  echo $(( boot + fields[19] / $(getconf CLK_TCK) ))
}

# up_to_date NETNS NAME COMMAND...: the running NAME was started with COMMAND in the network
# namespace NETNS (a file), and no configuration file of .cluster/conf that COMMAND names (as FILE or
# --flag=FILE) changed since
up_to_date() {
  local netns="$1" name="$2"; shift 2
  local pid since arg file
  pid="$(pid_of "$name")"
  [ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "$netns")" ] || return 1
  [ "$(tr '\0' '\n' <"/proc/$pid/cmdline")" = "$(printf '%s\n' "$@")" ] || return 1
  since="$(started_at "$pid")"
  for arg in "$@"; do
    file="${arg#*=}"
    case "$file" in "$CLUSTER_DIR/conf/"*) [ "$(stat -c %Y "$file")" -le "$since" ] || return 1 ;; esac
  done
}

# ensure NAME COMMAND...: starts NAME, or restarts it when it runs from another command line or
# configuration. kube-proxy first removes the rules of every mode, so that a new mode (or a new
# kube-proxy after one that died) starts from none: kube-proxy itself clears only nftables' rules
# when it starts in iptables or ipvs mode, and only iptables' and ipvs' in nftables mode.
ensure() { ensure_on 1 "$@"; }

# ensure_on N NAME COMMAND...: ensure, for node N: an extra node's components run in its network
# namespace (nsenter, which leaves them in the machine's mount namespace, where containerd and the
# kubelet must share the pods' mounts).
ensure_on() {
  local n="$1" name="$2"; shift 2
  local netns=/proc/self/ns/net in=()
  if [ "$n" != 1 ]; then
    netns="/run/netns/$(node_name "$n")" in=(nsenter --net="$netns" --)
  fi
  if is_running "$name"; then
    up_to_date "$netns" "$name" "$@" && return 0
    log "restarting $name: its command line, configuration or network namespace changed"
    stop_pids "$(pid_of "$name")"
  fi
  case "$name" in
    kube-proxy*) "${in[@]}" "$1" --cleanup "${@:2}" >>"$CLUSTER_DIR/logs/$name-cleanup.log" 2>&1 || true ;;
  esac
  start "$name" "${in[@]}" "$@"
}

apiserver_ready() { kubectl_admin get --raw=/readyz; }
node_ready() { # [NAME]
  [ "$(kubectl_admin get node "${1:-$NODE_NAME}" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
# Builds the images (cached) and imports into every node's containerd, all nodes at once, the images
# whose archive changed since that node's last import.
import_images() {
  local lines n status=0 pids=()
  lines="$(bash "$here/images/build.sh")" || fail images "building the images failed (see above)"
  for ((n = 1; n <= nodes; n++)); do
    import_node_images "$n" "$lines" & pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || status=1; done
  [ "$status" = 0 ] || fail images "importing the images failed (see above)"
}
import_node_images() { # N LINES
  local n="$1" name archive marker markers="$CLUSTER_VAR/imported" log="$CLUSTER_DIR/logs/images.log" on=""
  if [ "$n" != 1 ]; then
    markers="$(node_var "$n")/imported" log="$CLUSTER_DIR/logs/images-$(node_name "$n").log" on=" on $(node_name "$n")"
  fi
  mkdir -p "$markers"
  while read -r name archive; do
    marker="$markers/$(printf '%s' "$name" | tr '/:' '__')"
    [ -f "$marker" ] && [ "$(cat "$marker")" = "$archive" ] && continue
    log "importing $name$on"
    if ! ctr --address "$(node_sock "$n")" -n k8s.io images import "$archive" >>"$log" 2>&1; then
      echo "kdiag: importing $name from $archive$on failed (see $log)" >&2
      return 1
    fi
    echo "$archive" >"$marker"
  done <<<"$lines"
}

# node_cgroup_root N: the cgroup an extra node's kubelet puts its pods under, in every hierarchy
# (cpuset's needs its CPUs and memory nodes before a child can hold a process).
node_cgroup_root() {
  local name d; name="$(node_name "$1")"
  for d in /sys/fs/cgroup/*/; do
    [ -e "$d/cgroup.procs" ] || continue
    mkdir -p "$d$name"
    if [ -e "$d$name/cpuset.cpus" ]; then
      [ -n "$(cat "$d$name/cpuset.cpus")" ] || cat "${d}cpuset.cpus" >"$d$name/cpuset.cpus"
      [ -n "$(cat "$d$name/cpuset.mems")" ] || cat "${d}cpuset.mems" >"$d$name/cpuset.mems"
    fi
  done
}

print_usage_line() {
  echo "export KUBECONFIG=$KUBECONFIG_ADMIN PATH=$CLUSTER_DIR/bin:\$PATH"
}

running_stack() { cat "$CLUSTER_DIR/stack" 2>/dev/null || echo ipv4; }
running_proxy_mode() { cat "$CLUSTER_DIR/proxy-mode" 2>/dev/null || true; }
extra_nodes_exist() { ls /run/netns/"$NODE_NAME"-* >/dev/null 2>&1 || ip link show "$NODE_BRIDGE" >/dev/null 2>&1; }

# ---- a running, healthy cluster is reused (when its IP families are the ones asked for) ----
# kube-proxy is left out of "healthy": a cluster without it (or with another mode) gets it below.
healthy=""
all_running() {
  local c; for c in "${COMPONENTS[@]}"; do [ "$c" = kube-proxy ] || is_running "$c" || return 1; done
}
all_running && apiserver_ready >/dev/null 2>&1 && node_ready 2>/dev/null && healthy=1
if [ -n "$healthy" ] && [ -n "$requested_stack" ] && [ "$requested_stack" != "$(running_stack)" ]; then
  log "the running cluster is $(running_stack); restarting it $requested_stack"
  healthy=""
fi
if [ -n "$healthy" ] && [ -n "$requested_nodes" ] && [ "$requested_nodes" -lt "$(running_nodes)" ]; then
  log "the running cluster has $(running_nodes) nodes; restarting it with $requested_nodes"
  healthy=""
fi
[ -n "$requested_proxy_mode" ] || requested_proxy_mode="$(running_proxy_mode)"
if [ -n "$healthy" ]; then
  requested_stack="$(running_stack)"
  [ -n "$requested_nodes" ] || requested_nodes="$(running_nodes)"
elif ls "$CLUSTER_DIR/pids"/* >/dev/null 2>&1 || [ -d "$CLUSTER_VAR" ] || ip link show "$POD_BRIDGE" >/dev/null 2>&1 || extra_nodes_exist; then
  log "found a stopped or unhealthy cluster; taking it down first"
  flock -u 9
  bash "$here/down.sh"
  flock 9
fi

mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs" "$CLUSTER_DIR/bin"
[ -n "$healthy" ] || for port in "$ETCD_PORT" 2380 "$APISERVER_PORT" 10248 10250 10257 10259 10249 10256; do
  if [ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; then
    fail ports "TCP port $port, which the cluster needs, is in use: $(ss -ltnpH "sport = :$port" | awk '{print $NF}' | head -1)"
  fi
done

# ---- binaries (cached by version), certificates, configuration ----
t=$(date +%s)
bash "$here/build-binaries.sh" || fail build "building the Kubernetes binaries failed (see above)"
binaries_time="$(since "$t")"
ln -sf "$KUBE_BIN_DIR/kubectl" "$KUBECTL"
node_ip="$(detect_node_ip)" || fail node "no node address"
stack="${requested_stack:-ipv4}"
proxy_mode="${requested_proxy_mode:-iptables}"
nodes="${requested_nodes:-1}"
service_cidrs="$SERVICE_CIDR" node_ips="$node_ip"
if [ "$stack" = dual ]; then
  node_ip6="$(detect_node_ip6)"
  [ -n "$node_ip6" ] || fail node "a dual-stack cluster needs a global IPv6 address on this machine; it has none"
  sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    || fail node "IPv6 is disabled and cannot be enabled (net.ipv6.conf.all.disable_ipv6)"
  service_cidrs="$SERVICE_CIDR,$SERVICE_CIDR6" node_ips="$node_ip,$node_ip6"
fi
bash "$here/certs.sh" "$node_ip" "$nodes"
bash "$here/configs.sh" "$node_ip" "$stack" "$proxy_mode" "$nodes"
bash "$here/coredns.sh" "$stack"
echo "$stack" >"$CLUSTER_DIR/stack"
echo "$proxy_mode" >"$CLUSTER_DIR/proxy-mode"
echo "$nodes" >"$CLUSTER_DIR/nodes"
mkdir -p "$CLUSTER_VAR" "$CLUSTER_RUN"
pki="$CLUSTER_DIR/pki"
conf="$CLUSTER_DIR/conf"

# ---- runtime and images ----
ensure containerd containerd --config "$conf/containerd.toml"
for ((n = 2; n <= nodes; n++)); do
  bash "$here/node-network.sh" "$n" "$stack" || fail network "setting up the network of $(node_name "$n") failed"
  node_cgroup_root "$n"
  mkdir -p "$(node_var "$n")" "$(node_run "$n")"
  ensure_on "$n" "containerd-$(node_name "$n")" containerd --config "$(node_conf "$n")/containerd.toml"
done
for ((n = 1; n <= nodes; n++)); do
  c=containerd; [ "$n" = 1 ] || c="containerd-$(node_name "$n")"
  wait_for "$c" 30 "its socket" ctr --address "$(node_sock "$n")" version
done
t=$(date +%s)
import_images
images_time="$(since "$t")"

# ---- control plane ----
ensure etcd "$ETCD_BIN_DIR/etcd" --name kdiag --data-dir "$CLUSTER_VAR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster kdiag=http://127.0.0.1:2380 --unsafe-no-fsync --log-level warn
wait_for etcd 30 "health" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# Listening on every address, not only loopback: pods reach it through the kubernetes Service
# (kube-proxy sends its ClusterIP to the advertised node address), and CoreDNS must.
ensure kube-apiserver "$KUBE_BIN_DIR/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=0.0.0.0 --secure-port="$APISERVER_PORT" --advertise-address="$node_ip" \
  --client-ca-file="$pki/ca.crt" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range="$service_cidrs" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction,PodSecurity \
  --allow-privileged=true --profiling=false --v=1
wait_for kube-apiserver 90 "/readyz" apiserver_ready

ensure kube-controller-manager "$KUBE_BIN_DIR/kube-controller-manager" \
  --kubeconfig="$conf/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$conf/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$conf/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --service-cluster-ip-range="$service_cidrs" --allocate-node-cidrs=false --profiling=false --v=1
ensure kube-scheduler "$KUBE_BIN_DIR/kube-scheduler" \
  --kubeconfig="$conf/scheduler.kubeconfig" \
  --authentication-kubeconfig="$conf/scheduler.kubeconfig" \
  --authorization-kubeconfig="$conf/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false --v=1

# ---- node ----
ensure kubelet "$KUBE_BIN_DIR/kubelet" --config="$conf/kubelet.yaml" \
  --kubeconfig="$conf/kubelet.kubeconfig" --hostname-override="$NODE_NAME" --node-ip="$node_ips" \
  --root-dir="$CLUSTER_VAR/kubelet" --pod-infra-container-image="$PAUSE_IMAGE" --v=1
for ((n = 2; n <= nodes; n++)); do
  name="$(node_name "$n")"
  ensure_on "$n" "kubelet-$name" "$KUBE_BIN_DIR/kubelet" --config="$(node_conf "$n")/kubelet.yaml" \
    --kubeconfig="$(node_conf "$n")/kubelet.kubeconfig" --hostname-override="$name" \
    --node-ip="$(node_address "$n")$([ "$stack" != dual ] || echo ",$(node_address6 "$n")")" \
    --root-dir="$(node_var "$n")/kubelet" --pod-infra-container-image="$PAUSE_IMAGE" --v=1
done
wait_for kubelet 120 "node $NODE_NAME Ready" node_ready
for ((n = 2; n <= nodes; n++)); do
  wait_for "kubelet-$(node_name "$n")" 120 "node $(node_name "$n") Ready" node_ready "$(node_name "$n")"
done
wait_for kube-controller-manager 60 "the default ServiceAccount" \
  kubectl_admin -n default get serviceaccount default

# ---- Services: kube-proxy, then CoreDNS behind the kube-dns Service ----
proxy_ready() { curl -fsS http://127.0.0.1:10256/healthz; }
ensure kube-proxy "$KUBE_BIN_DIR/kube-proxy" --config="$conf/kube-proxy.yaml" --v=1
for ((n = 2; n <= nodes; n++)); do
  ensure_on "$n" "kube-proxy-$(node_name "$n")" "$KUBE_BIN_DIR/kube-proxy" --config="$(node_conf "$n")/kube-proxy.yaml" --v=1
done
wait_for kube-proxy 60 "its first rule sync ($proxy_mode mode)" proxy_ready
for ((n = 2; n <= nodes; n++)); do
  wait_for "kube-proxy-$(node_name "$n")" 60 "its first rule sync ($proxy_mode mode)" \
    nsenter --net="/run/netns/$(node_name "$n")" -- curl -fsS http://127.0.0.1:10256/healthz
done

dns_manifest="$conf/coredns.yaml" dns_applied="$CLUSTER_VAR/coredns-applied"
if ! cmp -s "$dns_manifest" "$dns_applied"; then
  kubectl_admin apply -f "$dns_manifest" >/dev/null || fail kube-apiserver "applying $dns_manifest failed"
  cp "$dns_manifest" "$dns_applied"
fi
coredns_ready() {
  [ "$(kubectl_admin -n kube-system get deployment coredns -o 'jsonpath={.status.readyReplicas}')" = 1 ]
}
if ! (wait_for coredns 90 "CoreDNS Ready (deployment kube-system/coredns)" coredns_ready); then
  kubectl_admin -n kube-system describe pods -l k8s-app=kube-dns >&2 || true
  fail coredns "CoreDNS did not become Ready"
fi

if [ -n "$healthy" ]; then
  log "cluster already running and Ready ($nodes node(s), $stack, kube-proxy $proxy_mode) ($(since "$started"))"
else
  log "cluster up ($nodes node(s), $stack, kube-proxy $proxy_mode) in $(since "$started") (binaries $binaries_time, images $images_time)"
fi
print_usage_line
