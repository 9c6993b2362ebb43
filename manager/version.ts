// The manager's version, stamped by scripts/build.mjs (esbuild `define`); "dev" when running
// from source (tests run under tsx, where nothing defines the global).
export function getVersion(): string {
  return typeof __KDIAG_VERSION__ === "undefined" ? "dev" : __KDIAG_VERSION__;
}
