// What every build script stamps into its output: the version (package.json, or KDIAG_VERSION)
// and the manager image the CLI injects by default (KDIAG_IMAGE), as esbuild `define`s.
import { readFileSync } from "node:fs";

export const version = process.env.KDIAG_VERSION ?? JSON.parse(readFileSync("package.json", "utf8")).version;
export const image = process.env.KDIAG_IMAGE ?? `kdiag/manager:v${version}`;
export const versionDefines = {
  __KDIAG_VERSION__: JSON.stringify(version),
  __KDIAG_IMAGE__: JSON.stringify(image),
};
