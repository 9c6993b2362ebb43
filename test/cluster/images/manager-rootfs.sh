#!/usr/bin/env bash
# Builds the manager image's base layer: a slim Debian root filesystem holding exactly the packages
# of manager/image-packages.txt (the list the Dockerfiles install), with mmdebstrap from this
# machine's own apt sources. Cached under ~/.cache/kdiag keyed by the package list and this script.
# Prints the layer tar's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"

list="$REPO_ROOT/manager/image-packages.txt"
mapfile -t packages < <(sed 's/#.*//' "$list" | tr -s ' \t' '\n' | sed '/^$/d')
[ ${#packages[@]} -gt 0 ] || { log "no packages in $list"; exit 1; }
suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"

key="$( { echo "$suite"; printf '%s\n' "${packages[@]}"; cat "$0"; } | sha256sum | cut -c1-16)"
cache="$KDIAG_CACHE/manager-rootfs/$key"
if [ -f "$cache/layer.tar" ]; then
  echo "$cache/layer.tar"
  exit 0
fi

# The machine's apt sources (whatever mirror it is configured with) are handed to mmdebstrap as
# files, so no mirror name is written anywhere by us.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$f" ] && grep -q "$suite" "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { log "no apt source for $suite in /etc/apt"; exit 1; }

command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing: run scripts/install-deps.sh"; exit 1; }
log "building the manager rootfs ($suite: ${packages[*]})"
started=$(date +%s)
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/rootfs.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# essential (no apt, no package manager in the image) + the list; no docs, man pages or locales.
# The merged-usr hook makes /bin -> usr/bin itself, so usrmerge (and perl with it) stays out.
SOURCE_DATE_EPOCH=0 mmdebstrap --quiet --variant=essential --mode=root \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/* "$1"/etc/machine-id' \
  "$suite" "$tmp/rootfs" "${sources[@]}" >&2
rm -rf "$tmp/rootfs/dev"/* "$tmp/rootfs/proc"/* "$tmp/rootfs/sys"/*
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --xattrs \
  -C "$tmp/rootfs" -cf "$tmp/layer.tar" $(ls -A "$tmp/rootfs")
mv "$tmp/layer.tar" "$cache/layer.tar"
# Root filesystems of earlier package lists only take space.
find "$KDIAG_CACHE/manager-rootfs" -mindepth 1 -maxdepth 1 -type d ! -path "$cache" -exec rm -rf {} +
log "manager rootfs built in $(( $(date +%s) - started ))s: $(du -sh "$cache/layer.tar" | cut -f1)"
echo "$cache/layer.tar"
