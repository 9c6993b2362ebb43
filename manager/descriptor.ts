// The protobuf descriptor set that server reflection serves. In the bundle, esbuild's binary
// loader inlines api/gen/kdiag.desc (so the image needs no file next to dist/manager.js); from
// source, under tsx, there is no loader for .desc, so the file is read next to this module.
// `__KDIAG_VERSION__` is defined only in the bundle, which is how the two cases are told apart
// (esbuild still bundles the dynamic import, tsx never evaluates it).
import { readFile } from "node:fs/promises";

export async function loadDescriptor(): Promise<Buffer> {
  if (typeof __KDIAG_VERSION__ !== "undefined") {
    const { default: bytes } = await import("../api/gen/kdiag.desc");
    return Buffer.from(bytes);
  }
  return readFile(new URL("../api/gen/kdiag.desc", import.meta.url));
}
