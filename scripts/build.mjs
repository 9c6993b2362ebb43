// Builds dist/: the CLI and the manager as single esbuild bundles, the static `enter` helper and
// the standalone busybox used as the shell. The version is stamped into both bundles here.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, chmodSync } from "node:fs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const version = process.env.KDIAG_VERSION ?? pkg.version;
const image = process.env.KDIAG_IMAGE ?? `kdiag/manager:v${version}`;
const busybox = process.env.KDIAG_BUSYBOX ?? "/bin/busybox";

// Bundled CommonJS dependencies (grpc-js, client-node) still call require().
const requireShim =
  'import { createRequire as __kdiagCreateRequire } from "node:module";' +
  "const require = __kdiagCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  sourcemap: false,
  legalComments: "none",
  banner: { js: requireShim },
  loader: { ".desc": "binary" },
  define: {
    __KDIAG_VERSION__: JSON.stringify(version),
    __KDIAG_IMAGE__: JSON.stringify(image),
  },
  // Optional native speed-ups of ws; the pure-JS fallback is used when they are absent.
  external: ["bufferutil", "utf-8-validate"],
  logLevel: "warning",
};

mkdirSync("dist", { recursive: true });

await Promise.all([
  build({
    ...common,
    entryPoints: ["cmd/kubectl-kdiag.ts"],
    outfile: "dist/kubectl-kdiag.js",
    target: "node20",
    banner: { js: "#!/usr/bin/env node\n" + requireShim },
  }),
  // The manager image runs Debian's Node, which may be older than the CLI's.
  build({ ...common, entryPoints: ["cmd/manager.ts"], outfile: "dist/manager.js", target: "node18" }),
]);
chmodSync("dist/kubectl-kdiag.js", 0o755);

execFileSync("gcc", ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", "dist/enter", "scratch-shell/enter.c"], {
  stdio: "inherit",
});
copyFileSync(busybox, "dist/ash");
chmodSync("dist/ash", 0o755);

console.log(`built dist/ for kdiag ${version} (manager image ${image})`);
