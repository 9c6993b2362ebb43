// kdiag builds Node's root store itself (pkg/kube/root-store.ts) so that its first connection does
// not parse every well-known root. What that must never do is widen trust: the store is empty
// unless a dial needs Node's default trust, and then it holds exactly that, whatever the user's
// SSL_CERT_FILE names; the variables kdiag bends while it builds the store are back at once.
// Each case is a Node started as the launcher starts kdiag (--use-openssl-ca), connecting to a
// TLS server here whose certificate a throwaway authority signed.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:tls";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

const rootStore = path.resolve("pkg/kube/root-store.ts");
let work: string;
let authority: string;
let server: Server;
let port: number;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), "kdiag-root-store-"));
  authority = path.join(work, "ca.crt");
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-subj", "/CN=throwaway authority", "-days", "1", "-out", "ca.crt");
  openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-subj", "/CN=server", "-out", "server.csr");
  const extensions = path.join(work, "san.ext");
  execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1\\n' > ${extensions}`]);
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x1f", "-days", "1", "-extfile", extensions, "-out", "server.crt");
  server = createServer({ key: readFileSync(path.join(work, "server.key")), cert: readFileSync(path.join(work, "server.crt")) }, (socket) => socket.end("hello"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
after(() => {
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What a Node started as kdiag is says of one connection to the server, after the store is built. */
async function connectAfterBuild(options: { trust: "empty" | "node-default" | "node-default-and-authority"; pin?: boolean; env?: NodeJS.ProcessEnv; launcher?: false }) {
  const script = `
    import { readFileSync } from "node:fs";
    import { connect, rootCertificates } from "node:tls";
    import { buildRootStore } from ${JSON.stringify(rootStore)};
    const trust = ${JSON.stringify(options.trust)};
    const pem = trust === "empty" ? undefined : [...rootCertificates, ...(trust === "node-default-and-authority" ? [readFileSync(${JSON.stringify(authority)}, "utf8")] : [])].join("\\n");
    buildRootStore(pem);
    const seen = ["SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CERT_URI", "KDIAG_ROOT_STORE"].map((name) => name + "=" + (process.env[name] ?? "unset")).join(" ");
    const socket = connect({ host: "127.0.0.1", port: ${port}, ${options.pin ? `ca: readFileSync(${JSON.stringify(authority)})` : ""} });
    socket.on("secureConnect", () => { console.log("connected " + seen); socket.destroy(); });
    socket.on("error", (error) => console.log("refused " + error.code + " " + seen));
  `;
  // As the launcher starts kdiag: NODE_EXTRA_CA_CERTS moved aside (Node would build the store
  // while it starts), and here no SSL_CERT_* of the machine's either.
  const { NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, SSL_CERT_DIR, SSL_CERT_URI, ...machine } = process.env;
  const child = spawn(process.execPath, ["--use-openssl-ca", "--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...machine, ...(options.launcher === false ? {} : { KDIAG_ROOT_STORE: "deferred" }), ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.on("exit", resolve));
  return output.trim();
}

test("with an empty store, a connection that pins the authority is accepted", async () => {
  assert.match(await connectAfterBuild({ trust: "empty", pin: true }), /^connected /);
});

test("with an empty store, a connection that pins nothing is refused, though SSL_CERT_FILE names its authority", async () => {
  const said = await connectAfterBuild({ trust: "empty", env: { SSL_CERT_FILE: authority, SSL_CERT_DIR: work } });
  assert.match(said, /^refused UNABLE_TO_VERIFY_LEAF_SIGNATURE /);
  // The user's variables are back for the programs kdiag starts.
  assert.match(said, new RegExp(`SSL_CERT_FILE=${authority} SSL_CERT_DIR=${work} SSL_CERT_URI=unset KDIAG_ROOT_STORE=unset$`));
});

test("a store of Node's default trust trusts what NODE_EXTRA_CA_CERTS adds", async () => {
  assert.match(await connectAfterBuild({ trust: "node-default-and-authority" }), /^connected SSL_CERT_FILE=unset SSL_CERT_DIR=unset SSL_CERT_URI=unset KDIAG_ROOT_STORE=unset$/);
});

test("a store of Node's default trust does not trust what SSL_CERT_FILE names, as Node would not", async () => {
  assert.match(await connectAfterBuild({ trust: "node-default", env: { SSL_CERT_FILE: authority } }), /^refused UNABLE_TO_VERIFY_LEAF_SIGNATURE /);
});

test("without the launcher's word (--use-openssl-ca the user's own choice), Node's rules stand: SSL_CERT_FILE is trusted", async () => {
  assert.match(await connectAfterBuild({ trust: "empty", launcher: false, env: { SSL_CERT_FILE: authority } }), /^connected /);
});
