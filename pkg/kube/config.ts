// Loads the kubeconfig the way kubectl does: --kubeconfig, else the KUBECONFIG list (missing
// files ignored, the first file to set a value wins), else ~/.kube/config, else the in-cluster
// service account; then picks the context, cluster and user (--context, --cluster, --user) and
// lays the flags over them (overrides.ts). The session holds only what was picked. Every way this
// can go wrong ends in one sentence that says what to do.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import { pinDefaultTrust, readDefaultTrust } from "./default-trust.ts";
import { applyClusterOverrides, applyUserOverrides } from "./overrides.ts";
import { buildRootStore, buildsRootStore } from "./root-store.ts";
import type { KubeOptions } from "./options.ts";
import { SessionKubeConfig } from "./session-kubeconfig.ts";

export interface KubeSession {
  kc: KubeConfig;
  namespace: string;
  context: string;
  requestTimeoutMs: number;
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export function loadKubeSession(options: KubeOptions, env: NodeJS.ProcessEnv = process.env): KubeSession {
  const kc = new KubeConfig();
  // With --server the flags alone can describe a cluster, as kubectl allows with no kubeconfig.
  const source = readKubeConfigFiles(kc, options.kubeconfig, env, { optional: options.clusterOverrides.server !== undefined });
  const context = findContext(kc, options, source);
  // Node's root store and what trusts it are kdiag's to build only when the launcher says so.
  const deferred = buildsRootStore();
  let defaultTrust: string | undefined;
  const readTrust = () => (defaultTrust ??= readDefaultTrust(env.KDIAG_EXTRA_CA_CERTS, (message) => process.stderr.write(`kdiag: warning: ${message}\n`)));
  const picked = applyClusterOverrides(findCluster(kc, options, context, source), options.clusterOverrides);
  const cluster = deferred ? pinDefaultTrust(picked, readTrust) : picked;
  if (!cluster.server) {
    throw new KdiagError(`cluster \`${cluster.name}\` in ${source} has no server address; pass --server`);
  }
  const found = findUser(kc, options, context, source);
  const user = applyUserOverrides(found, options.userOverrides);
  // What client-node dials besides the cluster: an OIDC issuer, an https proxy; nothing else.
  if (deferred) buildRootStore(user.authProvider !== undefined || /^https:/i.test(cluster.proxyUrl ?? "") ? readTrust() : undefined);
  // A kubeconfig user's own `as:` is impersonation too; --as replaces it, as in kubectl.
  const impersonate = { ...options.impersonate, user: options.impersonate.user ?? found.impersonateUser ?? undefined };
  const session = new SessionKubeConfig({ impersonate, requestTimeoutMs: options.requestTimeoutMs });
  const contextName = context?.name ?? "kdiag-flags";
  session.loadFromOptions({
    clusters: [cluster],
    users: [{ ...user, impersonateUser: undefined }],
    contexts: [{ name: contextName, cluster: cluster.name, user: user.name }],
    currentContext: contextName,
  });
  return {
    kc: session,
    namespace: options.namespace ?? context?.namespace ?? "default",
    context: contextName,
    requestTimeoutMs: options.requestTimeoutMs,
  };
}

/** --context, else the current context; none at all is fine only when --server names the cluster. */
function findContext(kc: KubeConfig, options: KubeOptions, source: string): Context | undefined {
  if (options.context !== undefined) {
    const named = kc.getContextObject(options.context);
    if (!named) {
      throw new KdiagError(
        `context \`${options.context}\` (from --context) is not in ${source}; its contexts: ${listContexts(kc)}`,
      );
    }
    return named;
  }
  const current = kc.getContextObject(kc.getCurrentContext()) ?? undefined;
  if (!current && options.clusterOverrides.server === undefined && options.cluster === undefined) {
    throw new KdiagError(`${source} sets no current context; pass --context (its contexts: ${listContexts(kc)})`);
  }
  return current;
}

function findCluster(kc: KubeConfig, options: KubeOptions, context: Context | undefined, source: string): Cluster {
  const name = options.cluster ?? context?.cluster;
  if (name === undefined) return { name: "kdiag-flags", server: "", skipTLSVerify: false };
  const cluster = kc.getCluster(name);
  if (cluster) return cluster;
  if (options.cluster !== undefined) {
    throw new KdiagError(`cluster \`${name}\` (from --cluster) is not in ${source}; its clusters: ${listNames(kc.getClusters())}`);
  }
  if (options.clusterOverrides.server !== undefined) return { name, server: "", skipTLSVerify: false };
  throw new KdiagError(`context \`${context?.name}\` in ${source} names cluster \`${name}\`, which it does not define`);
}

function findUser(kc: KubeConfig, options: KubeOptions, context: Context | undefined, source: string): User {
  const name = options.user ?? context?.user;
  if (name === undefined || name === "") return { name: "kdiag-flags" };
  const user = kc.getUser(name);
  if (user) return user;
  if (options.user !== undefined) {
    throw new KdiagError(`user \`${name}\` (from --user) is not in ${source}; its users: ${listNames(kc.getUsers())}`);
  }
  // kubectl, too, treats a context's user that is not defined as a user with no credentials.
  return { name };
}

/** Fills `kc` and returns a description of where it came from, for messages. */
function readKubeConfigFiles(kc: KubeConfig, flag: string | undefined, env: NodeJS.ProcessEnv, options: { optional: boolean }): string {
  if (flag !== undefined) {
    if (!existsSync(flag)) {
      throw new KdiagError(`kubeconfig \`${flag}\` (from --kubeconfig) does not exist; pass the path of a kubeconfig file`);
    }
    loadFile(kc, flag);
    return `kubeconfig \`${flag}\``;
  }
  const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  if (listed.length > 0) {
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) {
      throw new KdiagError(`no kubeconfig: none of the files in KUBECONFIG (\`${env.KUBECONFIG}\`) exists; fix KUBECONFIG or pass --kubeconfig`);
    }
    mergeFiles(kc, present);
    return `KUBECONFIG (\`${present.join(path.delimiter)}\`)`;
  }
  const home = path.join(env.HOME ?? homedir(), ".kube", "config");
  if (existsSync(home)) {
    loadFile(kc, home);
    return `kubeconfig \`${home}\``;
  }
  if (existsSync(path.join(serviceAccountDir, "token"))) {
    kc.loadFromCluster();
    return "the in-cluster service account";
  }
  if (options.optional) return "the command line";
  throw new KdiagError(`no kubeconfig: ${home} does not exist and KUBECONFIG is not set; pass --kubeconfig or set KUBECONFIG`);
}

/** kubectl's merge of a KUBECONFIG list: the first file to define a name (or a current context) wins. */
function mergeFiles(kc: KubeConfig, files: string[]): void {
  const configs = files.map((file) => {
    const one = new KubeConfig();
    loadFile(one, file);
    return one;
  });
  kc.loadFromOptions({
    clusters: keepFirstByName(configs.flatMap((config) => config.getClusters())),
    users: keepFirstByName(configs.flatMap((config) => config.getUsers())),
    contexts: keepFirstByName(configs.flatMap((config) => config.getContexts())),
    currentContext: configs.map((config) => config.getCurrentContext()).find((name) => Boolean(name)) ?? "",
  });
}

function keepFirstByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.name) && seen.add(item.name));
}

function loadFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    throw new KdiagError(`kubeconfig \`${file}\` cannot be read: ${reason}`, { cause: error });
  }
}

function listContexts(kc: KubeConfig): string {
  return listNames(kc.getContexts());
}

function listNames(items: ReadonlyArray<{ name: string }>): string {
  return items.length > 0 ? items.map((item) => item.name).join(", ") : "none";
}
