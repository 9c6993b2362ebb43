// Loads the kubeconfig the way kubectl does: --kubeconfig, else the KUBECONFIG list (missing
// files ignored), else ~/.kube/config, else the in-cluster service account. Every way this can go
// wrong ends in one sentence that says what to do.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { KubeConfig, type User } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import type { KubeOptions } from "./options.ts";

export interface KubeSession {
  kc: KubeConfig;
  namespace: string;
  context: string;
  requestTimeoutMs: number;
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export function loadKubeSession(options: KubeOptions, env: NodeJS.ProcessEnv = process.env): KubeSession {
  const kc = new KubeConfig();
  const source = readKubeConfigFiles(kc, options.kubeconfig, env);
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new KdiagError(
        `context \`${options.context}\` (from --context) is not in ${source}; its contexts: ${listContexts(kc)}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  if (!context) {
    throw new KdiagError(`${source} sets no current context; pass --context (its contexts: ${listContexts(kc)})`);
  }
  if (!kc.getCluster(context.cluster)) {
    throw new KdiagError(`context \`${context.name}\` in ${source} names cluster \`${context.cluster}\`, which it does not define`);
  }
  const session = options.as === undefined ? kc : impersonate(kc, options.as);
  return {
    kc: session,
    namespace: options.namespace ?? context.namespace ?? "default",
    context: context.name,
    requestTimeoutMs: options.requestTimeoutMs,
  };
}

/** Fills `kc` and returns a description of where it came from, for messages. */
function readKubeConfigFiles(kc: KubeConfig, flag: string | undefined, env: NodeJS.ProcessEnv): string {
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
  throw new KdiagError(`no kubeconfig: ${home} does not exist and KUBECONFIG is not set; pass --kubeconfig or set KUBECONFIG`);
}

function mergeFiles(kc: KubeConfig, files: string[]): void {
  const [first, ...rest] = files;
  if (first === undefined) return;
  loadFile(kc, first);
  for (const file of rest) {
    const more = new KubeConfig();
    loadFile(more, file);
    // Like kubectl, the first file to set a value wins.
    kc.mergeConfig(more, true);
  }
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
  const names = kc.getContexts().map((context) => context.name);
  return names.length > 0 ? names.join(", ") : "none";
}

/** A copy of `kc` whose current user impersonates `as` (the Impersonate-User header). */
function impersonate(kc: KubeConfig, as: string): KubeConfig {
  const current = kc.getCurrentUser();
  const users = kc.getUsers().map((user): User => (user.name === current?.name ? { ...user, impersonateUser: as } : user));
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.getClusters(),
    users,
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return copy;
}
