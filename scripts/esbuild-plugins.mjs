// esbuild plugins of scripts/build.mjs and scripts/build-binary.mjs.
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
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

// client-node's generated API (gen/index.js, and the model serializer some of its other modules
// use), by path, and the name under which its chunk is given to the other chunk (see below).
// The real path: esbuild names modules by theirs (node_modules may be a link).
const clientNodeDist = dirname(realpathSync(createRequire(import.meta.url).resolve("@kubernetes/client-node")));
export const generatedApiIndex = join(clientNodeDist, "gen", "index.js");
export const generatedApiSerializer = join(clientNodeDist, "gen", "models", "ObjectSerializer.js");
export const generatedApiModule = "kdiag:client-node-api";

// In the chunk of client-node without its generated API: the package's own modules are marked
// free of side effects, so that those no export kdiag uses needs (the serializer, which extends
// the generated one as it loads; cp, metrics…) are left out; the few kept that import from the
// generated API (KubeConfig.makeApiClient, which kdiag overrides) get stand-ins that load the
// generated API chunk when first used (pkg/lazy-binding.ts), as `require(apiModule)`, which
// pkg/code-cache.ts answers with the one copy the CLI loads.
export function deferGeneratedApi(apiModule) {
  return {
    name: "defer-generated-api",
    async setup(build) {
      const names = {
        [generatedApiIndex]: Object.keys(await import(pathToFileURL(generatedApiIndex).href)),
        [generatedApiSerializer]: ["ObjectSerializer"],
      };
      build.onResolve({ filter: new RegExp(`^${apiModule}$`) }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: join(clientNodeDist, "index.js"), sideEffects: false }));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const inGenerated = (file) => file.startsWith(join(clientNodeDist, "gen") + "/");
        if (!args.importer.startsWith(clientNodeDist + "/") || inGenerated(args.importer)) return undefined;
        const file = join(args.resolveDir, args.path);
        if (names[file]) return { path: file, namespace: "deferred-generated-api" };
        return inGenerated(file) ? undefined : { path: file, sideEffects: false };
      });
      // Named exports (not a CommonJS object) made by calls marked pure, so that esbuild still sees
      // which modules and stand-ins are unused; listDeferredNames reads the kept ones off the chunk.
      build.onLoad({ filter: /.*/, namespace: "deferred-generated-api" }, (args) => ({
        resolveDir: process.cwd(),
        contents:
          `import { lazyBinding } from "./pkg/lazy-binding.ts";\n` +
          `const loadGeneratedApi = () => require(${JSON.stringify(apiModule)});\n` +
          names[args.path].map((name) => `export const ${name} = /* @__PURE__ */ lazyBinding(loadGeneratedApi, ${JSON.stringify(name)});\n`).join(""),
        loader: "js",
      }));
    },
  };
}

// Packages client-node loads as it loads but uses only on some paths: a proxy (socks-proxy-agent,
// hpagent), OIDC and cloud auth plugins (openid-client, jsonpath-plus), watches and fetch
// (node-fetch and its URL tables). Each import of one from client-node's modules becomes
// stand-ins (pkg/lazy-binding.ts) that run the bundled package on first use, so that a command
// whose kubeconfig needs none of them does not load them (15–20 ms of a command's start).
export function deferPackagesOfClientNode(packages) {
  return {
    name: "defer-packages-of-client-node",
    setup(build) {
      const filter = new RegExp(`^(${packages.map((name) => name.replace(/[/.-]/g, "\\$&")).join("|")})$`);
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData?.real || !args.importer.startsWith(clientNodeDist + "/")) return undefined;
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { real: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: "deferred-package" };
      });
      build.onLoad({ filter: /.*/, namespace: "deferred-package" }, async (args) => {
        const names = Object.keys(await import(pathToFileURL(args.path).href)).filter((name) => name !== "__esModule");
        // As esbuild's own interop reads a default export: the module itself unless it says it is ES.
        const exportOf = (name) =>
          name === "default"
            ? `export default /* @__PURE__ */ lazyBinding(() => ({ default: load().__esModule ? load().default : load() }), "default");\n`
            : `export const ${name} = /* @__PURE__ */ lazyBinding(load, ${JSON.stringify(name)});\n`;
        return {
          resolveDir: process.cwd(),
          contents:
            `import { lazyBinding } from "./pkg/lazy-binding.ts";\n` +
            `const load = () => require(${JSON.stringify(args.path)});\n` +
            names.map(exportOf).join(""),
          loader: "js",
        };
      });
    },
  };
}

/** The generated API's exports that a chunk built with deferGeneratedApi reads from the other chunk. */
export function listDeferredNames(chunk) {
  return [...new Set([...new TextDecoder().decode(chunk).matchAll(/lazyBinding\)?\(loadGeneratedApi\d*, "(\w+)"\)/g)].map((match) => match[1]))].sort();
}

// The CLI's imports of client-node become one module that loads the separately built CommonJS
// chunks (next to the importing chunk) through pkg/code-cache.ts, so that their compilation is
// cached by V8: the core chunk as the module loads, the generated API only when one of its
// exports is first used (pkg/lazy-binding.ts), so that a command that never calls it does not
// load its 4 MB. `coreNames` and `apiNames` are the package's exports kdiag imports.
export function loadThroughCodeCache({ core, api, coreNames, apiNames, apiModule }) {
  return {
    name: "load-through-code-cache",
    setup(build) {
      build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: "client-node", namespace: "code-cache" }));
      build.onLoad({ filter: /.*/, namespace: "code-cache" }, () => ({
        resolveDir: process.cwd(),
        loader: "js",
        contents:
          `import { loadWithCodeCache } from "./pkg/code-cache.ts";\n` +
          `import { lazyBinding } from "./pkg/lazy-binding.ts";\n` +
          `let api;\n` +
          `const loadApi = () => (api ??= loadWithCodeCache(new URL(${JSON.stringify(`./${api.chunkName}`)}, import.meta.url)));\n` +
          `const core = loadWithCodeCache(new URL(${JSON.stringify(`./${core.chunkName}`)}, import.meta.url), { ${JSON.stringify(apiModule)}: loadApi });\n` +
          coreNames.map((name) => `export const ${name} = core.${name};\n`).join("") +
          apiNames.map((name) => `export const ${name} = lazyBinding(loadApi, ${JSON.stringify(name)});\n`).join(""),
      }));
    },
  };
}

// Any other package (or module of the CLI) built as a CommonJS chunk of its own (`chunkName`,
// relative to the importer's output file): the imports of `specifier` become one module that
// loads the chunk through pkg/code-cache.ts as it loads.
export function loadPackageThroughCodeCache(specifier, { chunkName, names }) {
  return {
    name: `load-${specifier}-through-code-cache`,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${specifier.replace(/[/.]/g, "\\$&")}$`) }, () => ({ path: specifier, namespace: "package-code-cache" }));
      build.onLoad({ filter: /.*/, namespace: "package-code-cache" }, () => ({
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
