#!/bin/sh
# What npm installs as kubectl-kdiag, kdiag and kubectl_complete-kdiag: starts dist/kubectl-kdiag.js.
# Node parses every certificate NODE_EXTRA_CA_CERTS names while it starts, whether or not the
# command makes a TLS connection: about 60 ms for a system bundle, more than all of `kdiag --help`.
# So the file is handed to kdiag as KDIAG_EXTRA_CA_CERTS instead; kdiag trusts it where Node would
# have (a cluster whose kubeconfig names no certificate authority, an OIDC issuer, an https proxy)
# and gives the variable back to the programs it starts (credential plugins, `logs -- CMD`). See
# pkg/kube/default-trust.ts and pkg/kube/root-store.ts.
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
# A NODE_OPTIONS that chooses Node's store of roots (--use-openssl-ca, --use-system-ca,
# --use-bundled-ca) is the user's word on trust: then Node starts as it would anyway.
case ${NODE_OPTIONS:-} in
  *use-openssl-ca* | *use-system-ca* | *use-bundled-ca*) users_store=yes ;;
  *) users_store= ;;
esac
if [ -z "$users_store" ] && [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  KDIAG_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export KDIAG_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
# The name the user typed decides help texts and completion mode (pkg/invocation.ts).
KDIAG_INVOKED_AS=${0##*/}
export KDIAG_INVOKED_AS

# `--help` (of kdiag or of one command) and `version` need nothing but text the build rendered
# (dist/answers, scripts/render-help.mjs): printed from here, they cost no Node start. Only where
# Node would print the very same: stdout not a terminal, or one at least 100 columns wide (the
# width the help was rendered at; pkg/rendered-help.ts).
answer=
case $KDIAG_INVOKED_AS in
  kubectl-kdiag | kdiag)
    case $# in
      1) case $1 in --help | -h) answer=help ;; version) answer=version ;; esac ;;
      2) case $2 in --help | -h) case $1 in '' | *[!a-z]*) ;; *) answer=$1.help ;; esac ;; esac ;;
    esac ;;
esac
answer_file=$dir/answers/$KDIAG_INVOKED_AS/$answer
if [ -n "$answer" ] && [ -f "$answer_file" ]; then
  columns=100
  if [ -t 1 ]; then
    # stty reads the terminal's size from its stdin: give it our stdout, where the help goes.
    exec 3>&1
    size=$(stty size <&3 2>/dev/null) || size=
    exec 3>&-
    columns=${size#* }
  fi
  case $columns in '' | *[!0-9]*) ;; *) [ "$columns" -lt 100 ] || exec cat "$answer_file" ;; esac
fi
[ -z "$users_store" ] || exec node "$dir/kubectl-kdiag.js" "$@"
# --use-openssl-ca, with KDIAG_ROOT_STORE to say it is kdiag's doing, lets kdiag build Node's store
# of well-known roots for what it uses of it (pkg/kube/root-store.ts).
KDIAG_ROOT_STORE=deferred
export KDIAG_ROOT_STORE
exec node --use-openssl-ca "$dir/kubectl-kdiag.js" "$@"
