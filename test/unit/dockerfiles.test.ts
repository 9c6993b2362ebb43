// The manager image's two Dockerfiles and the local cluster's image share one install section and
// one package list, so a release image and the image the end-to-end tests inject cannot drift.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const begin = "# ---- begin runtime install (keep identical in Dockerfile and Dockerfile.release) ----";
const end = "# ---- end runtime install ----";

function installSection(file: string): string {
  const text = read(file);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  assert.ok(from >= 0 && to > from, `${file} has no "${begin}" … "${end}" section`);
  assert.equal(text.indexOf(begin, from + 1), -1, `${file} has two install sections`);
  return text.slice(from, to + end.length);
}

function packages(): string[] {
  return read("manager/image-packages.txt")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
}

test("Dockerfile and Dockerfile.release have the same runtime install section", () => {
  assert.equal(installSection("Dockerfile.release"), installSection("Dockerfile"));
});

test("the install section installs manager/image-packages.txt and runs the manager with Debian's node under kdiag-init", () => {
  const section = installSection("Dockerfile");
  assert.match(section, /^COPY manager\/image-packages\.txt \/tmp\/image-packages\.txt$/m);
  assert.match(section, /sed 's\/#\.\*\/\/' \/tmp\/image-packages\.txt \| xargs apt-get install -y --no-install-recommends/);
  assert.match(section, /^ENTRYPOINT \["\/opt\/kdiag\/kdiag-init", "\/usr\/bin\/node", "\/opt\/kdiag\/manager\.js"\]$/m);
});

test("the released images and the local cluster's image give the manager the same malloc setting", () => {
  assert.match(installSection("Dockerfile"), /^ENV MALLOC_ARENA_MAX=2$/m);
  assert.match(read("test/cluster/images/build.sh"), /--env '\[[^\]]*"MALLOC_ARENA_MAX=2"\]'/);
});

test("the local cluster's image starts the manager through kdiag-init too, and ships it", () => {
  const script = read("test/cluster/images/build.sh");
  assert.match(script, /--entrypoint '\["\/opt\/kdiag\/kdiag-init","\/usr\/bin\/node","\/opt\/kdiag\/manager\.js"\]'/);
  assert.match(script, /install -m 755 "\$dist\/kdiag-init" "\$app\/kdiag-init"/);
});

test("both images start from the same slim Debian and copy the manager, kdiag-init, enter and ash into /opt/kdiag", () => {
  for (const file of ["Dockerfile", "Dockerfile.release"]) {
    const text = read(file);
    assert.match(text, /^FROM debian:bookworm-slim AS runtime$/m, file);
    assert.match(text, /^COPY .*manager\.js .*kdiag-init .*enter .*ash \/opt\/kdiag\/$/m, file);
  }
});

test("the package list names the manager's tools, one per line, and nothing twice", () => {
  const list = packages();
  assert.deepEqual(list, ["iptables", "nftables", "conntrack", "iproute2", "busybox-static", "nodejs"]);
  assert.equal(new Set(list).size, list.length);
  assert.ok(list.every((name) => /^[a-z0-9][a-z0-9+.-]+$/.test(name)), `one Debian package per line: ${list}`);
});

test("the local cluster assembles its manager image from the same package list", () => {
  const script = read("test/cluster/images/manager-rootfs.sh");
  assert.match(script, /list="\$REPO_ROOT\/manager\/image-packages\.txt"/);
  assert.match(script, /sed 's\/#\.\*\/\/' "\$list"/);
});
