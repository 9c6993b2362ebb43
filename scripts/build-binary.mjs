// Builds the single executable `kubectl-kdiag` (Node's single-executable-application support):
// a CommonJS bundle of the CLI (SEA runs only CommonJS) is turned into a blob with a V8 code
// cache, injected into a copy of this machine's node with postject, then packed the way krew
// expects: out/kubectl-kdiag_<version>_linux_amd64.tar.gz and its .sha256, with the
// `kubectl_complete-kdiag` script kubectl (≥ 1.26) runs to complete `kubectl kdiag …`.
import { build } from "esbuild";
import { version, versionDefines } from "./build-info.mjs";
import { deferStringWidth, markOptionalModulesAbsent } from "./esbuild-plugins.mjs";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";

const entry = process.env.KDIAG_SEA_ENTRY ?? "cmd/start.ts";
const work = "out/sea";

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

await build({
  entryPoints: [entry],
  outfile: `${work}/kubectl-kdiag.cjs`,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  legalComments: "none",
  loader: { ".desc": "binary" },
  define: {
    ...versionDefines,
    // import.meta.url has no meaning inside a SEA blob; nothing on the CLI path needs a real one.
    "import.meta.url": JSON.stringify("file:///kubectl-kdiag"),
  },
  plugins: [markOptionalModulesAbsent, deferStringWidth],
  logLevel: "warning",
});

writeFileSync(
  `${work}/sea-config.json`,
  JSON.stringify({
    main: `${work}/kubectl-kdiag.cjs`,
    output: `${work}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
  }),
);
execFileSync(process.execPath, ["--experimental-sea-config", `${work}/sea-config.json`], { stdio: "inherit" });

const binary = `${work}/kubectl-kdiag`;
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
execFileSync(
  "node_modules/.bin/postject",
  [binary, "NODE_SEA_BLOB", `${work}/sea-prep.blob`, "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"],
  // postject's LIEF warns about ELF notes it leaves alone; the output is only worth showing on failure.
  { stdio: "pipe" },
);

// A script rather than a second 100 MB binary: the completion is the plugin's own `__complete`.
const completer = `${work}/kubectl_complete-kdiag`;
writeFileSync(completer, '#!/bin/sh\n# kubectl runs this to complete `kubectl kdiag ...`; kdiag answers in cobra\'s protocol.\nexec kubectl-kdiag __complete "$@"\n');
chmodSync(completer, 0o755);

const archive = `out/kubectl-kdiag_${version}_linux_amd64.tar.gz`;
execFileSync("tar", ["-czf", archive, "-C", work, "kubectl-kdiag", "kubectl_complete-kdiag", "-C", process.cwd(), "LICENSE"]);
const sha256 = createHash("sha256").update(readFileSync(archive)).digest("hex");
writeFileSync(`${archive}.sha256`, `${sha256}  ${archive.split("/").pop()}\n`);
console.log(`${archive} sha256 ${sha256}`);
