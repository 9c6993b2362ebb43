// test/cluster/images/docker-archive.sh writes the `docker save` archives the local cluster imports
// (there is no registry): same inputs give the same bytes, the manifest names the tag and the
// config lists each layer's digest; `latest` is refused.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, "../../test/cluster/images/docker-archive.sh");
let work: string;
let layer: string;

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function archive(out: string, tag = "kdiag-test/unit:v1"): Promise<void> {
  await run("bash", [script, "--tag", tag, "--out", out, "--entrypoint", '["/hello"]', layer]);
}

async function list(file: string): Promise<string[]> {
  const { stdout } = await run("tar", ["-tf", file]);
  return stdout.split("\n").filter((line) => line !== "");
}

async function extract(file: string, member: string): Promise<Buffer> {
  const { stdout } = await run("tar", ["-xOf", file, member], { encoding: "buffer", maxBuffer: 1 << 24 });
  return stdout;
}

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), "kdiag-docker-archive-"));
  mkdirSync(path.join(work, "root"));
  writeFileSync(path.join(work, "root/hello"), "hello\n");
  layer = path.join(work, "layer.tar");
  await run("tar", ["--mtime=@0", "--owner=0", "--group=0", "-C", path.join(work, "root"), "-cf", layer, "hello"]);
});
after(() => rmSync(work, { recursive: true, force: true }));

test("the archive holds manifest.json naming the tag, the config and the layer", async () => {
  const file = path.join(work, "a.tar");
  await archive(file);
  const digest = sha256(readFileSync(layer));
  const manifest = JSON.parse((await extract(file, "manifest.json")).toString()) as {
    Config: string;
    RepoTags: string[];
    Layers: string[];
  }[];
  assert.equal(manifest.length, 1);
  assert.deepEqual(manifest[0]!.RepoTags, ["kdiag-test/unit:v1"]);
  assert.deepEqual(manifest[0]!.Layers, [`${digest}/layer.tar`]);
  const configBytes = await extract(file, manifest[0]!.Config);
  assert.equal(manifest[0]!.Config, `${sha256(configBytes)}.json`);
  const config = JSON.parse(configBytes.toString()) as {
    architecture: string;
    os: string;
    config: { Entrypoint: string[] };
    rootfs: { diff_ids: string[] };
  };
  assert.equal(config.os, "linux");
  assert.equal(config.architecture, "amd64");
  assert.deepEqual(config.config.Entrypoint, ["/hello"]);
  assert.deepEqual(config.rootfs.diff_ids, [`sha256:${digest}`]);
  assert.deepEqual((await list(file)).sort(), [`${digest}/`, `${digest}/layer.tar`, manifest[0]!.Config, "manifest.json"].sort());
});

test("building the same image twice gives the same bytes", async () => {
  await archive(path.join(work, "one.tar"));
  await archive(path.join(work, "two.tar"));
  assert.equal(sha256(readFileSync(path.join(work, "one.tar"))), sha256(readFileSync(path.join(work, "two.tar"))));
});

test("a latest tag is refused, because it would make the kubelet try to pull", async () => {
  const result = await run("bash", [script, "--tag", "kdiag-test/unit:latest", "--out", path.join(work, "l.tar"), layer]).then(
    () => ({ code: 0, stderr: "" }),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(result.code, 2);
  assert.equal(result.stderr, "docker-archive: tag kdiag-test/unit:latest: never tag latest (give an explicit version)\n");
});
