import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { createSelfSignedCertificate, serialNumber } from "../../manager/self-signed-certificate.ts";

test("the manager's certificate is a self-signed X.509 certificate OpenSSL reads and verifies", () => {
  const { certificate } = createSelfSignedCertificate({ name: "kdiag-manager", now: new Date("2026-11-29T12:00:00Z"), days: 1 });
  const parsed = new X509Certificate(certificate);
  assert.equal(parsed.subject, "CN=kdiag-manager");
  assert.equal(parsed.issuer, "CN=kdiag-manager");
  assert.ok(parsed.verify(parsed.publicKey));
  assert.equal(parsed.validTo, "Nov 30 12:00:00 2026 GMT");
});

test("serial numbers are minimal positive DER integers, whatever the random bytes begin with", () => {
  assert.deepEqual(serialNumber(Buffer.from("0005ff", "hex")), Buffer.from("020205ff", "hex"));
  assert.deepEqual(serialNumber(Buffer.from("0000", "hex")), Buffer.from("020100", "hex"));
  assert.deepEqual(serialNumber(Buffer.from("80ff", "hex")), Buffer.from("02030080ff", "hex"));
  assert.deepEqual(serialNumber(Buffer.from("00a1", "hex")), Buffer.from("020200a1", "hex"));
  assert.deepEqual(serialNumber(Buffer.from("7f01", "hex")), Buffer.from("02027f01", "hex"));
});
