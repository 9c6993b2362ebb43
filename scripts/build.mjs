// Builds dist/: the CLI and the manager as single esbuild bundles, the static `enter` helper and
// the standalone busybox used as the shell. The version is stamped into both bundles here.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const version = process.env.KDIAG_VERSION ?? pkg.version;
const image = process.env.KDIAG_IMAGE ?? `kdiag/manager:v${version}`;
const busybox = process.env.KDIAG_BUSYBOX ?? "/bin/busybox";

// Bundled CommonJS dependencies (grpc-js, proto-loader, client-node) still call require() and
// read __dirname / __filename, which an ES module does not have.
const requireShim =
  'import { createRequire as __kdiagCreateRequire } from "node:module";' +
  'import { fileURLToPath as __kdiagFileURLToPath } from "node:url";' +
  "const require = __kdiagCreateRequire(import.meta.url);" +
  "const __filename = __kdiagFileURLToPath(import.meta.url);" +
  'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));';

// @grpc/reflection reads its own reflection.proto from disk next to its sources at run time,
// which a one-file bundle does not have. Parse those protos here (protobufjs, as proto-loader
// does, so field names match) and load them from an inlined JSON snapshot instead; fail the
// build if the package ever loads them differently.
const inlineReflectionProtos = {
  name: "inline-reflection-protos",
  setup(build) {
    const filter = /@grpc[\\/]reflection[\\/]build[\\/]src[\\/]implementations[\\/]reflection-v1(alpha)?\.js$/;
    build.onLoad({ filter }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const loadCall = /protoLoader\.loadSync\(protoPath, (constants_1\.PROTO_LOADER_OPTS)\)/;
      const protoFile = /path\.join\(__dirname, '(\.\.\/\.\.\/proto\/[^']+\.proto)'\)/.exec(source)?.[1];
      if (!protoFile || !loadCall.test(source)) {
        throw new Error(`${args.path}: @grpc/reflection no longer loads its protos the way this build inlines them`);
      }
      const root = new protobuf.Root().loadSync(join(dirname(args.path), protoFile));
      const snapshot = JSON.stringify(root.toJSON());
      return { contents: source.replace(loadCall, `protoLoader.fromJSON(${snapshot}, $1)`), loader: "js" };
    });
  },
};

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
  plugins: [inlineReflectionProtos],
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
