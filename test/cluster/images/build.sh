#!/usr/bin/env bash
# Builds the local cluster's images as docker archives, each cached under ~/.cache/kdiag/images by a
# hash of its inputs, and prints one "NAME ARCHIVE" line per image (import them with load-image.sh):
#
#   kdiag/pause:3.10            containerd's sandbox image: a static pause, nothing else
#   kdiag-test/server:v1        scratch: one static HTTP server (test/images/server), no shell
#   kdiag-test/busybox:v1       static busybox with its applet links
#   kdiag-test/client:v1        busybox + a loop asking $TARGET for a page every second, and
#                               /udp-client (test/images/udp-client): one UDP conversation
#   kdiag-test/hostile:v1       busybox + static grpcurl + a poller (test/images/hostile) that
#                               connects to every listener in its pod and injects its own bytes
#   kdiag/manager:v<version>    Debian + manager/image-packages.txt + dist/ (when dist/ is built);
#                               named $KDIAG_IMAGE instead when set, as the build names it
#   kdiag/coredns:<version>     scratch: the static coredns that build-binaries.sh built
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"

out_dir="$KDIAG_CACHE/images"
mkdir -p "$out_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

deterministic_tar() { # DIR OUT: a layer tar of DIR's contents, same bytes for the same files
  # File capabilities (the manager's ash) travel as a SCHILY.xattr PAX record.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --xattrs --xattrs-include='security.capability' -C "$1" -cf "$2" $(ls -A "$1")
}

key_of() { # FILES...: short hash of the files' contents plus this script and the archive writer
  cat "$@" "$0" "$here/docker-archive.sh" | sha256sum | cut -c1-16
}

archive_path() { # NAME KEY
  printf '%s/%s-%s.tar\n' "$out_dir" "$(printf '%s' "$1" | tr '/:' '__')" "$2"
}

emit() { # NAME ARCHIVE: report it, and drop older builds of the same image (they only take space)
  find "$out_dir" -name "$(printf '%s' "$1" | tr '/:' '__')-*.tar" ! -path "$2" -delete
  printf '%s %s\n' "$1" "$2"
}

busybox_layer() { # builds once per run: /bin/busybox and a link per applet
  local layer="$work/busybox-layer.tar"
  if [ ! -f "$layer" ]; then
    local root="$work/busybox-root"
    mkdir -p "$root/bin" "$root/tmp" "$root/etc"
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    deterministic_tar "$root" "$layer"
  fi
  echo "$layer"
}

build_pause() {
  local name="$PAUSE_IMAGE" key archive
  key="$(key_of "$here/pause.c")"; archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$work/pause"
    gcc -static -Os -Wall -Wextra -Werror -o "$work/pause/pause" "$here/pause.c"
    strip "$work/pause/pause"
    deterministic_tar "$work/pause" "$work/pause.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" --entrypoint '["/pause"]' "$work/pause.tar"
  fi
  emit "$name" "$archive"
}

build_server() {
  local name=kdiag-test/server:v1 src="$REPO_ROOT/test/images/server" key archive
  [ -f "$src/main.go" ] || { log "missing $src/main.go (the scratch server's source)"; return 1; }
  key="$(key_of "$src"/*.go "$src"/go.mod)"; archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$work/server"
    ( cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o "$work/server/server" . )
    deterministic_tar "$work/server" "$work/server.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" --entrypoint '["/server"]' \
      --env '["PORT=8080"]' "$work/server.tar"
  fi
  emit "$name" "$archive"
}

build_busybox() {
  local name=kdiag-test/busybox:v1 key archive
  key="$(key_of /bin/busybox)"; archive="$(archive_path "$name" "$key")"
  [ -f "$archive" ] || bash "$here/docker-archive.sh" --tag "$name" --out "$archive" \
    --cmd '["sh"]' "$(busybox_layer)"
  emit "$name" "$archive"
}

build_client() {
  local name=kdiag-test/client:v1 src="$REPO_ROOT/test/images/udp-client" key archive
  key="$(key_of /bin/busybox "$here/client.sh" "$src"/*.go "$src"/go.mod)"; archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$work/client"
    cp "$here/client.sh" "$work/client/client.sh"
    chmod 755 "$work/client/client.sh"
    ( cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o "$work/client/udp-client" . )
    deterministic_tar "$work/client" "$work/client.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" --entrypoint '["/client.sh"]' \
      "$(busybox_layer)" "$work/client.tar"
  fi
  emit "$name" "$archive"
}

build_manager() {
  local version name dist="$REPO_ROOT/dist" f key archive base
  version="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json")"
  # The same name the build stamps into the CLI (scripts/build-info.mjs).
  name="${KDIAG_IMAGE:-kdiag/manager:v$version}"
  for f in manager.js kdiag-init enter ash; do
    if [ ! -f "$dist/$f" ]; then
      log "dist/$f is missing (run npm run build): $name is not built"
      return 0
    fi
  done
  base="$(bash "$here/manager-rootfs.sh")"
  key="$( { echo "$base"; cat "$dist/manager.js" "$dist/kdiag-init" "$dist/enter" "$dist/ash"; } | sha256sum | cut -c1-16)"
  key="$(printf '%s' "$key" | cat - "$0" "$here/docker-archive.sh" | sha256sum | cut -c1-16)"
  archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    local app="$work/manager/opt/kdiag"
    mkdir -p "$app"
    cp "$dist/manager.js" "$app/manager.js"
    install -m 755 "$dist/kdiag-init" "$app/kdiag-init"
    install -m 755 "$dist/enter" "$app/enter"
    install -m 755 "$dist/ash" "$app/ash"
    # enter runs the target's programs without our privileges; busybox keeps them through these.
    setcap =ei "$app/ash"
    # The baseline profile's container runs as a uid of kdiag's own: enter --chroot becomes the
    # target's user and chroots with these (permitted only; enter raises them, see
    # scratch-shell/README.md).
    setcap cap_setuid,cap_setgid,cap_sys_chroot=p "$app/enter"
    # dist/manager.js is an ES module bundle; this marks it as one for Node.
    printf '{"type":"module"}\n' >"$app/package.json"
    chmod 644 "$app/manager.js" "$app/package.json"
    deterministic_tar "$work/manager" "$work/manager-app.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" \
      --entrypoint '["/opt/kdiag/kdiag-init","/usr/bin/node","/opt/kdiag/manager.js"]' \
      --env '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","MALLOC_ARENA_MAX=2"]' \
      "$base" "$work/manager-app.tar"
  fi
  emit "$name" "$archive"
}

grpcurl_static() { # built once per version under $KDIAG_CACHE/build, CGO off so it runs without libc
  local version=v1.9.3 dir bin
  dir="$KDIAG_CACHE/build/grpcurl-static-$version"; bin="$dir/grpcurl"
  if [ ! -x "$bin" ]; then
    log "building a static grpcurl $version (once; cached in $dir)"
    local mod="$work/grpcurl-module"
    mkdir -p "$mod" "$dir"
    # A throwaway module pinning the version, as scripts/install-deps.sh does: `go install
    # pkg@version` asks the module proxy for version lists it refuses for some modules.
    printf 'module kdiag.local/tools\n\ngo 1.22\n\nrequire github.com/fullstorydev/grpcurl %s\n' \
      "$version" >"$mod/go.mod"
    ( cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
        -ldflags "-s -w -X main.version=$version" -o "$bin.tmp" github.com/fullstorydev/grpcurl/cmd/grpcurl )
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}

build_hostile() { # the pod's hostile neighbour of the security tests; the pod spec sets its uid
  local name=kdiag-test/hostile:v1 src="$REPO_ROOT/test/images/hostile" grpcurl key archive
  grpcurl="$(grpcurl_static)"
  key="$(key_of "$src"/*.go "$src"/go.mod "$grpcurl" /bin/busybox)"; archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$work/hostile"
    ( cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o "$work/hostile/hostile" . )
    install -m 755 "$grpcurl" "$work/hostile/grpcurl"
    deterministic_tar "$work/hostile" "$work/hostile.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" --entrypoint '["/hostile"]' \
      "$(busybox_layer)" "$work/hostile.tar"
  fi
  emit "$name" "$archive"
}

build_coredns() {
  local name="$COREDNS_IMAGE" bin="$COREDNS_BIN_DIR/coredns" key archive
  [ -x "$bin" ] || { log "missing $bin (run test/cluster/build-binaries.sh)"; return 1; }
  key="$(key_of "$bin")"; archive="$(archive_path "$name" "$key")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$work/coredns"
    install -m 755 "$bin" "$work/coredns/coredns"
    deterministic_tar "$work/coredns" "$work/coredns.tar"
    bash "$here/docker-archive.sh" --tag "$name" --out "$archive" --entrypoint '["/coredns"]' "$work/coredns.tar"
  fi
  emit "$name" "$archive"
}

build_pause
build_coredns
build_server
build_busybox
build_client
build_manager
build_hostile
