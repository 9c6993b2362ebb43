#!/usr/bin/env bash
# Creates the cluster's certificates with openssl into .cluster/pki, once (again when the node's
# address changed): a CA, the API server's serving and kubelet-client certificates, the kubelet's
# serving and client certificates (CN system:node:<name>; for extra nodes kubelet-<name> and
# kubelet-client-<name>, their serving certificates naming their addresses), the controller manager's, the
# scheduler's, kube-proxy's and the admin's client certificates, and the service-account key pair.
# A certificate added since the CA was made is issued alone, so a running cluster keeps its CA.
#
#   certs.sh NODE_IP [NODES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

node_ip="$1"
nodes="${2:-1}"
pki="$CLUSTER_DIR/pki"
stamp="$pki/.node-ip"
openssl_quiet() { openssl "$@" 2>/dev/null; }

if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$node_ip" ] && [ -f "$pki/admin.crt" ]; }; then
  rm -rf "$pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  log "creating certificates in $pki"
  openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kdiag-local-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

# issue NAME SUBJECT USAGE [SAN]: a key and a CA-signed certificate (USAGE: serverAuth/clientAuth),
# unless it exists
issue() {
  local name="$1" subject="$2" usage="$3" san="${4:-}" ext="$pki/$1.ext"
  [ -f "$pki/$name.crt" ] && return 0
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$ext"
  openssl_quiet req -new -newkey rsa:2048 -nodes -subj "$subject" \
    -keyout "$pki/$name.key" -out "$pki/$name.csr"
  openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 3650 -extfile "$ext" -out "$pki/$name.crt"
  rm -f "$pki/$name.csr" "$ext"
}

first_service_ip="${SERVICE_CIDR%.*}.1"
issue apiserver "/CN=kube-apiserver" serverAuth \
  "IP:127.0.0.1,IP:$node_ip,IP:$first_service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
issue kubelet "/CN=$NODE_NAME" serverAuth "IP:$node_ip,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost"
issue kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
for ((n = 2; n <= nodes; n++)); do
  name="$(node_name "$n")"
  issue "kubelet-$name" "/CN=$name" serverAuth \
    "IP:$(node_address "$n"),IP:$(node_address6 "$n"),IP:127.0.0.1,DNS:$name,DNS:localhost"
  issue "kubelet-client-$name" "/O=system:nodes/CN=system:node:$name" clientAuth
done
issue controller-manager "/CN=system:kube-controller-manager" clientAuth
issue scheduler "/CN=system:kube-scheduler" clientAuth
issue admin "/O=system:masters/CN=kdiag-admin" clientAuth
# The user the default ClusterRoleBinding system:node-proxier grants kube-proxy's rights to.
issue kube-proxy "/CN=system:kube-proxy" clientAuth
if [ ! -f "$pki/sa.key" ]; then
  openssl_quiet genrsa -out "$pki/sa.key" 2048
  openssl_quiet rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
fi
echo "$node_ip" >"$stamp"
