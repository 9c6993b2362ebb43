// Loads a CommonJS chunk of the bundle (client-node, 4.5 MB) with V8's code cache: Node 20 keeps
// no code cache for ES modules (module.enableCompileCache() is Node ≥ 22.1), and compiling that
// chunk is most of the CPU time a command spends before its first request. The cache lives in
// ~/.cache/kdiag/code-cache/, one file per chunk (its name carries the chunk's content hash),
// written once at exit by the first command that had none; V8 refuses a cache that does not
// match its version, flags or the source, and the chunk is then compiled as usual.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { getCacheDir, isTrustedDirectory, readCacheFileSync } from "./kube/cache-file.ts";

/**
 * Runs the chunk at `url` and returns its exports. `modules` answers the chunk's require() of
 * names that are no files (another chunk, loaded by whoever loads this one), each on first use.
 */
export function loadWithCodeCache(url: URL, modules: Record<string, () => unknown> = {}): unknown {
  const file = fileURLToPath(url);
  const cacheFile = path.join(getCacheDir(), "code-cache", `${path.basename(file)}.v8`);
  // Cached code runs as the user: only a file of ours that nobody else could have written or swapped.
  const cachedData = readCacheFileSync(cacheFile);
  const source = readFileSync(file, "utf8");
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const nodeRequire = createRequire(file);
  const require = Object.assign((id: string) => (Object.hasOwn(modules, id) ? modules[id]!() : nodeRequire(id)), nodeRequire);
  run(module.exports, require, module, file, path.dirname(file));
  // After the command's work, so the cache also holds the functions it compiled on the way.
  if (cachedData === undefined || script.cachedDataRejected) process.once("exit", () => storeCodeCache(cacheFile, script));
  return module.exports;
}

function storeCodeCache(file: string, script: vm.Script): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Not through a link (a root kdiag keeping a user's HOME, say), nor where others may write.
    if (!isTrustedDirectory(path.dirname(file))) return;
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600, flag: "wx" });
    renameSync(partial, file);
    // The caches of earlier builds of the chunk (`client-node-core-<hash>.cjs.v8`) are of no more
    // use, nor those of a chunk it was split from (`client-node-<hash>.cjs.v8`); a sibling chunk's
    // (`client-node-api-…`) is.
    const stem = path.basename(file).replace(/-[0-9a-f]+\.cjs\.v8$/, "-");
    for (const entry of readdirSync(path.dirname(file))) {
      const entryStem = /^(.*-)[0-9a-f]+\.cjs\.v8$/.exec(entry)?.[1];
      if (entry !== path.basename(file) && entryStem !== undefined && stem.startsWith(entryStem)) rmSync(path.join(path.dirname(file), entry), { force: true });
    }
  } catch {
    // No cache: the next command compiles the chunk again.
  }
}
