#!/bin/sh
# What npm installs as kubectl-kdiag, kdiag and kubectl_complete-kdiag: starts dist/kubectl-kdiag.js.
# Node parses every certificate NODE_EXTRA_CA_CERTS names while it starts, whether or not the
# command makes a TLS connection: about 60 ms for a system bundle, more than all of `kdiag --help`.
# So the file is handed to kdiag as KDIAG_EXTRA_CA_CERTS instead; kdiag trusts it where Node would
# have (a cluster whose kubeconfig names no certificate authority) and gives the variable back to
# the programs it starts (credential plugins, `logs -- CMD`). See pkg/launch-environment.ts.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) case $self in */*) self=${self%/*}/$link ;; *) self=./$link ;; esac ;;
  esac
done
# `sh kubectl-kdiag` names the script without a directory: it is the current one.
case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  KDIAG_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export KDIAG_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
# The name the user typed decides help texts and completion mode (pkg/invocation.ts).
KDIAG_INVOKED_AS=${0##*/}
export KDIAG_INVOKED_AS
exec node "$dir/kubectl-kdiag.js" "$@"
