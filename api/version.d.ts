// Stamped by scripts/build.mjs (esbuild `define`).
declare const __KDIAG_VERSION__: string;
declare const __KDIAG_IMAGE__: string;
