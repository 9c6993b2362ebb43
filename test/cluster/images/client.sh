#!/bin/busybox sh
# The client workload: asks $TARGET (host:port) for a page once per $INTERVAL seconds, forever,
# printing every reply line (or the failure) so `kubectl logs` shows the conversation.
: "${TARGET:?set TARGET to host:port of a server}"
interval="${INTERVAL:-1}"
while :; do
  # (busybox 1.35's own wget -T crashes; timeout does the same job)
  if reply="$(timeout 10 wget -q -O- "http://$TARGET/" 2>&1)"; then
    printf '%s\n' "$reply"
  else
    printf 'request to %s failed: %s\n' "$TARGET" "$reply"
  fi
  sleep "$interval"
done
