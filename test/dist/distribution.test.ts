// The ways a user gets kdiag: npm, the single binary, krew. Each is exercised the way a user
// would, on artifacts built here (scripts/build.mjs and scripts/build-binary.mjs).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AddressInfo } from "node:net";
import { kubectlPath } from "../cluster/kube.ts";

const version: string = JSON.parse(readFileSync("package.json", "utf8")).version;
// The pinned kubectl that cluster:up places beside the cluster (scripts/test-all.sh starts it first).
const kubeBinDir = dirname(kubectlPath);
const goBinDir = execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim() + "/bin";
const archiveName = `kubectl-kdiag_${version}_linux_amd64.tar.gz`;

function runIn(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(command, args, { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
}

before(() => {
  execFileSync("node", ["scripts/build-binary.mjs"], { stdio: "pipe" });
});

test("after `npm i -g` of the packed tarball, `kubectl kdiag --help` works through plugin discovery", () => {
  const work = mkdtempSync(join(tmpdir(), "kdiag-npm-"));
  const packed = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { encoding: "utf8" });
  const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  const chunks = paths.filter((p) => p.startsWith("dist/cli-chunks/"));
  assert.ok(chunks.length > 0, "the lazily loaded command chunks are packed");
  const answers = paths.filter((p) => p.startsWith("dist/answers/"));
  assert.ok(answers.includes("dist/answers/kubectl-kdiag/help") && answers.includes("dist/answers/kdiag/version"), "the launcher's answers are packed");
  assert.deepEqual(paths.filter((p) => !chunks.includes(p) && !answers.includes(p)).sort(), ["LICENSE", "README.md", "dist/kubectl-kdiag", "dist/kubectl-kdiag.js", "package.json"]);

  const prefix = join(work, "prefix");
  execFileSync("npm", ["i", "-g", "--prefix", prefix, "--no-audit", "--no-fund", join(work, filename)], { stdio: "pipe" });
  assert.deepEqual(readdirSync(join(prefix, "bin")).sort(), ["kdiag", "kubectl-kdiag", "kubectl_complete-kdiag"]);

  const env = { PATH: `${join(prefix, "bin")}:${kubeBinDir}:/usr/bin:/bin`, HOME: work };
  const listed = runIn(work, "kubectl", ["plugin", "list"], env);
  assert.match(listed.stdout, /kubectl-kdiag/);
  const help = runIn(work, "kubectl", ["kdiag", "--help"], env);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^kubectl kdiag <command>/m);
  const completion = runIn(work, "kubectl", ["__complete", "kdiag", "sh"], env);
  assert.equal(completion.stdout, "shell\tOpen a shell in a container, even one whose image has no shell\n:4\n", completion.stderr);
});

test("the single binary runs with no node on PATH", () => {
  const dir = mkdtempSync(join(tmpdir(), "kdiag-bin-"));
  execFileSync("tar", ["-xzf", join("out", archiveName), "-C", dir]);
  const sums = readFileSync(join("out", `${archiveName}.sha256`), "utf8");
  assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${archiveName.replace(/\./g, "\\.")}\\n$`));

  const emptyPath = mkdtempSync(join(tmpdir(), "kdiag-empty-path-"));
  const env = { PATH: emptyPath, HOME: dir };
  const versionRun = runIn(dir, join(dir, "kubectl-kdiag"), ["version"], env);
  assert.equal(versionRun.status, 0, versionRun.stderr);
  assert.match(versionRun.stdout, new RegExp(`kdiag ${version.replace(/\./g, "\\.")}`));
  const help = runIn(dir, join(dir, "kubectl-kdiag"), ["--help"], env);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /shell/);
  assert.equal(help.stderr, "");
  // kubectl finds the plugin and its completion script on PATH, as after a krew install.
  const withKubectl = { PATH: `${dir}:${kubeBinDir}`, HOME: dir };
  const completion = runIn(dir, "kubectl", ["__complete", "kdiag", "ps", "-o", ""], withKubectl);
  assert.equal(completion.stdout, "table\njson\nyaml\n:4\n", completion.stderr);
});

test("the rendered krew manifest passes krew's own validation, including an install", async () => {
  const archive = readFileSync(join("out", archiveName));
  const server = createServer((request, response) => {
    if (request.url === `/${archiveName}`) response.end(archive);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    execFileSync("node", ["scripts/render-krew.mjs"], {
      env: { ...process.env, KDIAG_RELEASE_URL: `http://127.0.0.1:${port}` },
      stdio: "pipe",
    });
    const krewRoot = mkdtempSync(join(tmpdir(), "kdiag-krew-"));
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      // Asynchronous on purpose: the validator downloads from this process's loopback server.
      const child = spawn("validate-krew-manifest", ["-manifest", "out/kdiag.yaml"], {
        env: { ...process.env, KREW_ROOT: krewRoot, PATH: `${goBinDir}:${kubeBinDir}:${process.env.PATH}` },
      });
      let output = "";
      child.stdout?.on("data", (d) => (output += d));
      child.stderr?.on("data", (d) => (output += d));
      child.on("close", (code) => resolve({ code, output }));
    });
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /structural validation OK/);
    assert.match(result.output, /all 1 spec.platforms installed fine/);
    // The manifest takes the whole archive (no `files:`), so the completion script is installed
    // next to the plugin, for the one `ln -s` its caveats give.
    assert.match(readFileSync("out/kdiag.yaml", "utf8"), /ln -s ~\/\.krew\/store\/kdiag\/v[^/]+\/kubectl_complete-kdiag ~\/\.krew\/bin\//);
    assert.doesNotMatch(readFileSync("out/kdiag.yaml", "utf8"), /^\s+files:/m);
    const listed = execFileSync("tar", ["-tzf", join("out", archiveName)], { encoding: "utf8" }).split("\n");
    assert.ok(listed.includes("kubectl_complete-kdiag"), listed.join(" "));
  } finally {
    server.close();
  }
});

