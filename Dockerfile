# The kdiag manager image, from source. Build: docker build -t kdiag/manager:v$(node -p 'require("./package.json").version') .
# Dockerfile.release builds the same runtime stage from a prebuilt dist/; the section between the
# "runtime install" markers is identical in both files (test/unit/dockerfiles.test.ts checks it),
# and the package list is manager/image-packages.txt, the same file the local cluster's image uses.

FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools dpkg-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

FROM debian:bookworm-slim AS runtime
# ---- begin runtime install (keep identical in Dockerfile and Dockerfile.release) ----
COPY manager/image-packages.txt /tmp/image-packages.txt
RUN apt-get update \
 && sed 's/#.*//' /tmp/image-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc /usr/share/man /tmp/image-packages.txt
RUN mkdir -p /opt/kdiag && printf '{"type":"module"}\n' >/opt/kdiag/package.json
# Two malloc arenas, not one per thread: after heavy tunnel traffic glibc otherwise keeps tens
# of MiB of freed buffers (bench/redirect.ts: 103 → 75 MiB with 100 tunnels open).
ENV MALLOC_ARENA_MAX=2
# kdiag-init (manager/native/kdiag-init.c) is the manager's parent and reaper: nft dies with the
# manager, even SIGKILLed, and no zombie is left to the target's PID 1.
ENTRYPOINT ["/opt/kdiag/kdiag-init", "/usr/bin/node", "/opt/kdiag/manager.js"]
# ---- end runtime install ----
COPY --from=build /src/dist/manager.js /src/dist/kdiag-init /src/dist/enter /src/dist/ash /opt/kdiag/
# enter runs the target's programs without our privileges; busybox keeps them through file
# capabilities, and enter --chroot (the baseline profile) has CAP_SETUID, CAP_SETGID and CAP_SYS_CHROOT from its own
# (scratch-shell/README.md). setcap is installed for this step only.
RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap =ei /opt/kdiag/ash \
 && setcap cap_setuid,cap_setgid,cap_sys_chroot=p /opt/kdiag/enter \
 && apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
