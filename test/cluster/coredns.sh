#!/usr/bin/env bash
# Writes the manifest of the cluster's DNS into .cluster/conf/coredns.yaml: CoreDNS (image
# kdiag/coredns, built by images/build.sh) as a Deployment in kube-system, its Corefile in a
# ConfigMap, the rights its kubernetes plugin needs, and the kube-dns Service at $DNS_SERVICE_IP
# (and $DNS_SERVICE_IP6 on a dual-stack cluster), the address configs.sh gives the kubelet.
#
#   coredns.sh [ipv4|dual]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

stack="${1:-ipv4}"
if [ "$stack" = dual ]; then
  families="ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  clusterIP: $DNS_SERVICE_IP
  clusterIPs: [$DNS_SERVICE_IP, $DNS_SERVICE_IP6]"
else
  families="ipFamilyPolicy: SingleStack
  ipFamilies: [IPv4]
  clusterIP: $DNS_SERVICE_IP
  clusterIPs: [$DNS_SERVICE_IP]"
fi

# Only the cluster's names are answered. Every other name gets NXDOMAIN at once instead of being
# forwarded off the machine: not REFUSED, because musl's resolver (the toolkit's busybox) gives up
# its search list on REFUSED, while NXDOMAIN lets it try the next suffix.
corefile="$(cat <<COREFILE
$CLUSTER_DOMAIN:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    health :8080
    ready :8181
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
        pods insecure
    }
    cache 30
}
.:53 {
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
COREFILE
)"

mkdir -p "$CLUSTER_DIR/conf"
cat >"$CLUSTER_DIR/conf/coredns.yaml.new" <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: coredns
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kdiag:coredns
rules:
- apiGroups: [""]
  resources: [services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kdiag:coredns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: kdiag:coredns
subjects:
- kind: ServiceAccount
  name: coredns
  namespace: kube-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
$(sed 's/^/    /' <<<"$corefile")
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector:
    matchLabels: {k8s-app: kube-dns}
  template:
    metadata:
      labels: {k8s-app: kube-dns}
      # CoreDNS reads its Corefile once: a new one rolls the pod.
      annotations: {kdiag/corefile-sha256: $(sha256sum <<<"$corefile" | cut -c1-16)}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      # CoreDNS's own lookups (none leave it: see the Corefile) must not ask CoreDNS.
      dnsPolicy: Default
      terminationGracePeriodSeconds: 1
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
          periodSeconds: 1
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
            add: [NET_BIND_SERVICE]
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
      volumes:
      - name: config
        configMap: {name: coredns}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  selector: {k8s-app: kube-dns}
  $families
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
YAML
if cmp -s "$CLUSTER_DIR/conf/coredns.yaml.new" "$CLUSTER_DIR/conf/coredns.yaml"; then
  rm -f "$CLUSTER_DIR/conf/coredns.yaml.new"
else
  mv "$CLUSTER_DIR/conf/coredns.yaml.new" "$CLUSTER_DIR/conf/coredns.yaml"
fi
