// A fresh ECDSA P-256 key and a self-signed X.509 certificate for it, made at start-up without
// openssl (Node has no API that writes certificates): the DER of one TBSCertificate, signed. The
// CLI pins this exact certificate, so nothing in it but the key matters; it names no host.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

export interface Certificate {
  /** PEM of the certificate: not secret. */
  certificate: string;
  /** PEM (PKCS#8) of the private key: never leaves the manager. */
  privateKey: string;
}

const ecdsaWithSha256 = "1.2.840.10045.4.3.2";
const commonName = "2.5.4.3";

export function createSelfSignedCertificate(options: { name: string; now?: Date; days?: number }): Certificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = options.now ?? new Date();
  // An hour of slack for a skewed clock on either side; the pin is what is checked.
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const name = sequence(set(sequence(oid(commonName), utf8(options.name))));
  const algorithm = sequence(oid(ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, integer(Buffer.of(2))), // v3
    serialNumber(randomBytes(16)),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value
  const der = sequence(tbs, algorithm, bitString(signature));
  return { certificate: toPem("CERTIFICATE", der), privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// DER: tag, length (short or long form), contents.
function tlv(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  if (length < 0x80) return Buffer.concat([Buffer.of(tag, length), contents]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.of(tag, 0x80 | bytes.length, ...bytes), contents]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function explicit(tagNumber: number, item: Buffer): Buffer {
  return tlv(0xa0 | tagNumber, item);
}

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes);
}

/**
 * A serial number from random bytes, as DER wants an INTEGER: positive and minimal — no leading
 * 0x00 unless the next byte's top bit is set (OpenSSL refuses the certificate otherwise, "illegal
 * padding": one random serial in 256 began with 0x00).
 */
export function serialNumber(random: Buffer): Buffer {
  let start = 0;
  while (start < random.length - 1 && random[start] === 0) start++;
  const bytes = random.subarray(start);
  return integer((bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes);
}

function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.of(0), bytes]));
}

function utf8(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, "utf8"));
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift(0x80 | (value & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 asks. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}
