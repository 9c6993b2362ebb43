#!/usr/bin/env bash
# Builds the shell's busybox (dist/ash) statically against musl, from Debian's pinned source
# package, once per version into ~/.cache/kdiag, and prints its path. Debian's busybox-static is
# linked against glibc, whose static NSS wants shared libraries a scratch root does not have:
# there its wget, nc, nslookup and ping end in a segmentation fault. musl has no NSS.
set -euo pipefail
source_version=1.35.0-4+deb12u1
# Of the source package's .dsc, which lists the checksums dpkg-source then verifies.
dsc_sha256=9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa
# Bump when the configuration below changes: it names the cached build.
config_revision=2
cache="${KDIAG_CACHE:-$HOME/.cache/kdiag}/busybox-$source_version-musl-r$config_revision"
out="$cache/busybox"
[ -x "$out" ] && { echo "$out"; exit 0; }

log() { printf '[busybox] %s\n' "$*" >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Source packages need a deb-src entry: the same archives as the machine's own deb entries.
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding deb-src entries for the machine's Debian archives"
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/kdiag-deb-src.sources
  apt-get update -qq
fi
log "building busybox $source_version with musl (about 20 s)"
cd "$work"
apt-get source --download-only "busybox=1:$source_version" >/dev/null 2>&1 \
  || { log "apt-get source busybox=1:$source_version failed"; exit 1; }
echo "$dsc_sha256  busybox_$source_version.dsc" | sha256sum --check --quiet
# Verifies the tarballs against the pinned .dsc and applies Debian's patches.
dpkg-source -x "busybox_$source_version.dsc" src >/dev/null 2>&1
# musl-gcc must not see glibc's headers; the kernel's (and mtd's) are all it needs besides its own.
mkdir include
for dir in /usr/include/linux /usr/include/x86_64-linux-gnu/asm /usr/include/asm-generic /usr/include/mtd; do
  ln -s "$dir" "include/$(basename "$dir")"
done
cd src
make defconfig >/dev/null
# Static; applets found without PATH (the shell runs in a root that has none); tc does not build
# against current kernel headers; the small nslookup, which asks getaddrinfo, so musl's resolver
# answers from the target's /etc/hosts before DNS (the big one only speaks DNS).
sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
  -e 's/^# CONFIG_FEATURE_SH_STANDALONE is not set/CONFIG_FEATURE_SH_STANDALONE=y/' \
  -e 's/^# CONFIG_FEATURE_PREFER_APPLETS is not set/CONFIG_FEATURE_PREFER_APPLETS=y/' \
  -e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' \
  -e 's/^CONFIG_FEATURE_NSLOOKUP_BIG=y/# CONFIG_FEATURE_NSLOOKUP_BIG is not set/' .config
{ yes "" || true; } | make oldconfig >/dev/null
make -j"$(nproc)" CC=musl-gcc EXTRA_CFLAGS="-isystem $work/include" busybox >build.log 2>&1 \
  || { tail -20 build.log >&2; exit 1; }
mkdir -p "$cache"
install -m 755 busybox "$out"
echo "$out"
