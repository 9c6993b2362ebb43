// Builds dist/: the CLI and the manager as single esbuild bundles, the static `enter` helper, the
// static `kdiag-init` entrypoint of the manager image and the standalone busybox used as the
// shell. The version is stamped into both bundles here.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { image, version, versionDefines } from "./build-info.mjs";
import {
  deferGeneratedApi,
  deferPackagesOfClientNode,
  deferStringWidth,
  generatedApiIndex,
  generatedApiModule,
  generatedApiSerializer,
  inlineReflectionProtos,
  listDeferredNames,
  loadPackageThroughCodeCache,
  loadThroughCodeCache,
  markOptionalModulesAbsent,
} from "./esbuild-plugins.mjs";
import { renderHelp, writeLauncherAnswers } from "./render-help.mjs";

// The shell's busybox: built against musl once and cached (scripts/build-busybox.sh), so its
// network applets work in a scratch root; KDIAG_BUSYBOX names another.
const busybox = process.env.KDIAG_BUSYBOX ?? execFileSync("bash", ["scripts/build-busybox.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

// Bundled CommonJS dependencies (grpc-js, proto-loader, client-node) still call require() and
// read __dirname / __filename, which an ES module does not have. The names are kdiag's own (and
// `define` below points the free __dirname / __filename at them) because some bundled modules
// declare a top-level __dirname of their own.
const requireShim =
  'import { createRequire as __kdiagCreateRequire } from "node:module";' +
  'import { fileURLToPath as __kdiagFileURLToPath } from "node:url";' +
  "const require = __kdiagCreateRequire(import.meta.url);" +
  "const __kdiag_filename = __kdiagFileURLToPath(import.meta.url);" +
  'const __kdiag_dirname = __kdiag_filename.slice(0, __kdiag_filename.lastIndexOf("/"));';

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  sourcemap: false,
  legalComments: "none",
  banner: { js: requireShim },
  loader: { ".desc": "binary" },
  define: {
    ...versionDefines,
    __dirname: "__kdiag_dirname",
    __filename: "__kdiag_filename",
  },
  plugins: [inlineReflectionProtos, markOptionalModulesAbsent],
  logLevel: "warning",
};

mkdirSync("dist", { recursive: true });
const [clientNode, grpc] = await Promise.all([buildClientNode(), buildGrpc()]);

// client-node as two CommonJS chunks, each loaded with V8's code cache (pkg/code-cache.ts) and
// named by its content hash, as the cache is: the generated API (CoreV1Api and its 4 MB of models)
// apart from the rest (kubeconfig, auth, exec and port-forward streams), so that a command whose
// requests are streams and plain GETs (shell, redir with the manager present) never loads it.
async function buildClientNode() {
  // Only what the CLI imports, so that the rest of the package is left out as before.
  const names = listImportedNames("@kubernetes/client-node", ["cmd", "pkg", "api"]);
  const generated = new Set(Object.keys(await import(pathToFileURL(generatedApiIndex).href)));
  const apiNames = names.filter((name) => generated.has(name));
  const coreNames = names.filter((name) => !generated.has(name));
  const core = await bundleChunk(
    `export { ${coreNames.join(", ")} } from "@kubernetes/client-node";`,
    [deferGeneratedApi(generatedApiModule), deferPackagesOfClientNode(["socks-proxy-agent", "hpagent", "openid-client", "jsonpath-plus", "node-fetch"])],
    "client-node-core",
  );
  // What the CLI imports from the generated API, and what the core chunk's modules do.
  const exported = [...new Set([...apiNames, ...listDeferredNames(core.contents)])].filter((name) => name !== "ObjectSerializer");
  const api = await bundleChunk(
    `export { ${exported.join(", ")} } from ${JSON.stringify(generatedApiIndex)};\n` +
      `export { ObjectSerializer } from ${JSON.stringify(generatedApiSerializer)};`,
    [],
    "client-node-api",
  );
  return { core, api, coreNames, apiNames, apiModule: generatedApiModule };
}

// grpc-js as a CommonJS chunk of its own, loaded with V8's code cache as client-node is: redir,
// ps and the other commands that speak to the manager compile most of its 900 kB otherwise.
async function buildGrpc() {
  const names = listImportedNames("@grpc/grpc-js", ["cmd", "pkg", "api"]);
  return { ...(await bundleChunk(`export { ${names.join(", ")} } from "@grpc/grpc-js";`, [], "grpc-js")), names };
}

/** A CommonJS chunk of `contents`, named `<stem>-<content hash>.cjs`. */
async function bundleChunk(contents, plugins, stem) {
  const { outputFiles } = await build({
    stdin: { contents, resolveDir: process.cwd() },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    legalComments: "none",
    write: false,
    outfile: `${stem}.cjs`,
    plugins: [markOptionalModulesAbsent, ...plugins],
    logLevel: "warning",
  });
  const chunk = outputFiles[0].contents;
  return { chunkName: `${stem}-${createHash("sha256").update(chunk).digest("hex").slice(0, 12)}.cjs`, contents: chunk };
}

/** The value (not type) names that the TypeScript files under `dirs` import from `specifier`. */
function listImportedNames(specifier, dirs) {
  const names = new Set();
  const files = dirs.flatMap((dir) => readdirSync(dir, { recursive: true }).filter((file) => file.endsWith(".ts")).map((file) => path.join(dir, file)));
  const statement = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${specifier.replace(/[/.]/g, "\\$&")}"`, "g");
  for (const file of files) {
    for (const [, list] of readFileSync(file, "utf8").matchAll(statement)) {
      for (const item of list.split(",").map((part) => part.trim())) {
        if (item !== "" && !item.startsWith("type ")) names.add(item.split(/\s+as\s+/)[0]);
      }
    }
  }
  return [...names].sort();
}

// The CLI in two parts: the entry (cmd/start.ts: `--help` and `version`, answered with nothing
// else loaded) as an ES module, and the rest (cmd/cli.ts and all it imports, but client-node and
// grpc-js) as one CommonJS chunk under dist/cli-chunks/ that the entry loads through V8's code
// cache, as the chunks of client-node and grpc-js are: Node 20 keeps no code cache for ES modules.
async function buildCli(help) {
  rmSync("dist/cli-chunks", { recursive: true, force: true });
  mkdirSync("dist/cli-chunks", { recursive: true });
  const helpDefine = help ? { __KDIAG_HELP__: JSON.stringify(help) } : {};
  const { outputFiles } = await build({
    ...common,
    format: "cjs",
    // pkg/code-cache.ts runs the chunk with the file's own __filename and __dirname.
    banner: { js: 'const __kdiag_filename = __filename, __kdiag_dirname = __dirname, __kdiag_url = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [...common.plugins, deferStringWidth, loadThroughCodeCache(clientNode), loadPackageThroughCodeCache("@grpc/grpc-js", grpc)],
    define: { ...common.define, ...helpDefine, "import.meta.url": "__kdiag_url" },
    entryPoints: ["cmd/cli.ts"],
    outfile: "dist/cli-chunks/cli.cjs",
    write: false,
    target: "node20",
  });
  const cli = outputFiles[0].contents;
  const cliChunk = `cli-${createHash("sha256").update(cli).digest("hex").slice(0, 12)}.cjs`;
  for (const chunk of [clientNode.core, clientNode.api, grpc, { chunkName: cliChunk, contents: cli }]) {
    writeFileSync(`dist/cli-chunks/${chunk.chunkName}`, chunk.contents);
  }
  await build({
    ...common,
    plugins: [...common.plugins, loadPackageThroughCodeCache("./cli.ts", { chunkName: `cli-chunks/${cliChunk}`, names: ["runCli"] })],
    define: { ...common.define, ...helpDefine },
    entryPoints: ["cmd/start.ts"],
    outfile: "dist/kubectl-kdiag.js",
    target: "node20",
    banner: { js: "#!/usr/bin/env node\n" + requireShim },
  });
  chmodSync("dist/kubectl-kdiag.js", 0o755);
  // What npm installs as the executables: starts the bundle without Node parsing NODE_EXTRA_CA_CERTS.
  copyFileSync("cmd/launcher.sh", "dist/kubectl-kdiag");
  chmodSync("dist/kubectl-kdiag", 0o755);
}

await Promise.all([
  // Twice: the second build carries the help texts the first one's yargs printed.
  buildCli().then(async () => {
    const help = await renderHelp("dist/kubectl-kdiag.js");
    await writeLauncherAnswers("dist/kubectl-kdiag.js", help, "dist/answers");
    return buildCli(help);
  }),
  // The manager image runs Debian's Node, which may be older than the CLI's.
  build({ ...common, entryPoints: ["cmd/manager.ts"], outfile: "dist/manager.js", target: "node18" }),
]);

const gcc = ["-static", "-O2", "-Wall", "-Wextra", "-Werror"];
execFileSync("gcc", [...gcc, "-o", "dist/enter", "scratch-shell/enter.c"], { stdio: "inherit" });
// The manager image's entrypoint: the manager's parent and reaper (see the file's header).
execFileSync("gcc", [...gcc, "-o", "dist/kdiag-init", "manager/native/kdiag-init.c"], { stdio: "inherit" });
copyFileSync(busybox, "dist/ash");
chmodSync("dist/ash", 0o755);

console.log(`built dist/ for kdiag ${version} (manager image ${image})`);
