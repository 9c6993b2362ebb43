// Stamped by scripts/build.mjs (esbuild `define`).
declare const __KDIAG_VERSION__: string;
declare const __KDIAG_IMAGE__: string;
/** Set by scripts/build.mjs: `--help` texts rendered at build time (pkg/rendered-help.ts). */
declare const __KDIAG_HELP__: unknown;
