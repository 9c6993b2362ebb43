// Renders .krew.yaml for the built single-binary archive: writes out/kdiag.yaml (krew insists
// the file is named after the plugin). The download URI comes from KDIAG_RELEASE_URL (the
// release's base URL), or points at the local archive for validation here.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { version } from "./build-info.mjs";

const archiveName = `kubectl-kdiag_${version}_linux_amd64.tar.gz`;
const archive = resolve("out", archiveName);
const sha256 = readFileSync(`${archive}.sha256`, "utf8").split(/\s+/)[0];
const base = process.env.KDIAG_RELEASE_URL;
const uri = base ? `${base.replace(/\/$/, "")}/${archiveName}` : pathToFileURL(archive).href;

const fields = { VERSION: version, URI: uri, SHA256: sha256 };
const rendered = readFileSync(".krew.yaml", "utf8").replace(/\$\{(\w+)\}/g, (whole, name) => {
  if (!(name in fields)) throw new Error(`.krew.yaml has an unknown field ${whole}`);
  return fields[name];
});
writeFileSync("out/kdiag.yaml", rendered);
console.log("out/kdiag.yaml");
