// Node's default trust as kdiag hands it on (pkg/kube/default-trust.ts): its roots and the file
// NODE_EXTRA_CA_CERTS names, read as leniently as Node reads it, and pinned only on a cluster that
// names no authority of its own.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { after, test } from "node:test";
import { pinDefaultTrust, readDefaultTrust } from "../../pkg/kube/default-trust.ts";

const work = mkdtempSync(path.join(tmpdir(), "kdiag-default-trust-"));
after(() => rmSync(work, { recursive: true, force: true }));

function authority(name: string): string {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-subj", `/CN=${name}`, "-days", "1", "-out", `${name}.crt`], { cwd: work, stdio: "pipe" });
  return readFileSync(path.join(work, `${name}.crt`), "utf8").trim();
}

test("the extra file's certificates follow Node's roots; a block that is no certificate is skipped, not the ones after it", () => {
  const first = authority("first");
  const second = authority("second");
  const file = path.join(work, "extra.pem");
  writeFileSync(file, `${first}\n-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n${second}\n`);
  const warnings: string[] = [];
  assert.equal(readDefaultTrust(file, (message) => warnings.push(message)), [...rootCertificates, first, second].join("\n"));
  assert.deepEqual(warnings, []);
});

test("an extra file that cannot be read is a warning, as it is to Node, and Node's roots stand", () => {
  const warnings: string[] = [];
  const missing = path.join(work, "missing.pem");
  assert.equal(readDefaultTrust(missing, (message) => warnings.push(message)), rootCertificates.join("\n"));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", new RegExp(`^ignoring the certificates NODE_EXTRA_CA_CERTS names \\(${missing}\\): ENOENT`));
});

test("only a cluster that names no authority (and checks certificates) is pinned to the default trust", () => {
  const trust = () => "PEM";
  const bare = { name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: false };
  assert.equal(pinDefaultTrust(bare, trust).caData, Buffer.from("PEM").toString("base64"));
  for (const own of [{ caData: "b3du" }, { caFile: "/own.crt" }, { skipTLSVerify: true }]) {
    assert.deepEqual(pinDefaultTrust({ ...bare, ...own }, trust), { ...bare, ...own });
  }
});
