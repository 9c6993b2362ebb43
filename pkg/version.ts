// The build stamps the version and the default manager image into the bundle (esbuild `define`
// in scripts/build.mjs). Under tsx (tests) the globals do not exist, so fall back to dev values
// rather than crash on a ReferenceError.

const devVersion = "0.0.0-dev";

export function getKdiagVersion(): string {
  return typeof __KDIAG_VERSION__ === "string" ? __KDIAG_VERSION__ : devVersion;
}

export function getDefaultImage(): string {
  return typeof __KDIAG_IMAGE__ === "string" ? __KDIAG_IMAGE__ : `kdiag/manager:v${devVersion}`;
}

/** What `kdiag version` prints. */
export function describeVersion(): string {
  return `kdiag ${getKdiagVersion()}\nmanager image ${getDefaultImage()}\n`;
}
