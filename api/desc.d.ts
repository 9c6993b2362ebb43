// esbuild's binary loader turns the descriptor set into bytes (see scripts/build.mjs).
declare module "*.desc" {
  const bytes: Uint8Array;
  export default bytes;
}
