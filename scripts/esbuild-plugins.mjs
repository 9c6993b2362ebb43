// esbuild plugins of scripts/build.mjs and scripts/build-binary.mjs.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";

// Optional dependencies that bundled packages probe for inside try/catch (ws's native add-ons,
// debug's supports-color, node-fetch's encoding). kdiag ships none of them; resolving each to a
// module that throws MODULE_NOT_FOUND is what those packages see when the module is absent,
// without a runtime require() — which a single executable cannot do for non-built-in modules.
const absentOptionalModules = ["bufferutil", "utf-8-validate", "supports-color", "encoding"];

export const markOptionalModulesAbsent = {
  name: "mark-optional-modules-absent",
  setup(build) {
    const filter = new RegExp(`^(${absentOptionalModules.join("|")})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "absent-optional-module" }));
    build.onLoad({ filter: /.*/, namespace: "absent-optional-module" }, (args) => ({
      contents:
        `const error = new Error("Cannot find module '${args.path}' (not bundled with kdiag)");\n` +
        `error.code = "MODULE_NOT_FOUND";\nthrow error;\n`,
      loader: "js",
    }));
  },
};

// @grpc/reflection reads its own reflection.proto from disk next to its sources at run time,
// which a one-file bundle does not have. Parse those protos here (protobufjs, as proto-loader
// does, so field names match) and load them from an inlined JSON snapshot instead; fail the
// build if the package ever loads them differently.
export const inlineReflectionProtos = {
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

// The CLI's imports of client-node become one module that loads the separately built CommonJS
// chunk `chunkName` (next to the importing chunk) through pkg/code-cache.ts, so that its
// compilation is cached by V8; `names` are the package's exports, re-exported one by one.
export function loadThroughCodeCache({ chunkName, names }) {
  return {
    name: "load-through-code-cache",
    setup(build) {
      build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: "client-node", namespace: "code-cache" }));
      build.onLoad({ filter: /.*/, namespace: "code-cache" }, () => ({
        resolveDir: process.cwd(),
        loader: "js",
        contents:
          `import { loadWithCodeCache } from "./pkg/code-cache.ts";\n` +
          `const loaded = loadWithCodeCache(new URL(${JSON.stringify(`./${chunkName}`)}, import.meta.url));\n` +
          names.map((name) => `export const ${name} = loaded.${name};\n`).join(""),
      }));
    },
  };
}

// string-width builds an Intl.Segmenter and compiles Unicode property regexes as it loads, in each
// of the three copies yargs and cliui bring (20–30 ms together), though yargs measures text only to
// print help, which the build has already rendered. Each import of it becomes a stub that loads
// the real module on its first call: esbuild runs a require()d module's body on the first require.
export const deferStringWidth = {
  name: "defer-string-width",
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, importer: args.importer, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: "deferred-string-width" };
    });
    build.onLoad({ filter: /.*/, namespace: "deferred-string-width" }, (args) => ({
      contents:
        `export default function stringWidth(text, options) {\n` +
        `  const loaded = require(${JSON.stringify(args.path)});\n` +
        `  return (typeof loaded === "function" ? loaded : loaded.default)(text, options);\n` +
        `}\n`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};
