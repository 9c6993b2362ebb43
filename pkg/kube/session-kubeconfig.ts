// A KubeConfig that carries what client-node's own does not: impersonated groups and UID
// (client-node sends only Impersonate-User) and --request-timeout for the opening of a stream.
// client-node builds its requests in two ways, and both are covered here (the first also keeps one
// connection for the command's requests):
// - streams (exec, attach, port-forward over WebSocket; watches; our pods/log follow) take their
//   headers and TLS options from applyToHTTPSOptions;
// - the generated API clients take them from applySecurityAuthentication, which can only set one
//   string per header (two groups would become the one group "a,b"), so makeApiClient gives them
//   a transport that sends each impersonated group as a header of its own.

import https from "node:https";
import { KubeConfig, ServerConfiguration, createConfiguration, type ApiType } from "@kubernetes/client-node";
import { createHeaderListTransport, type HeaderList } from "./header-list-transport.ts";
import type { Impersonation } from "./options.ts";

type ApiConstructor<T extends ApiType> = new (config: ReturnType<typeof createConfiguration>) => T;

export class SessionKubeConfig extends KubeConfig {
  private readonly headers: HeaderList;
  private readonly openTimeoutMs: number;

  constructor(options: { impersonate: Impersonation; requestTimeoutMs: number }) {
    super();
    this.headers = getImpersonationHeaders(options.impersonate);
    this.openTimeoutMs = options.requestTimeoutMs;
  }

  override async applyToHTTPSOptions(opts: https.RequestOptions & { handshakeTimeout?: number }): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const headers = { ...(opts.headers as Record<string, string | string[]> | undefined) };
    // Ours replace any the kubeconfig set; a repeated name becomes one header line per value.
    for (const [name] of this.headers) delete headers[name];
    for (const [name, value] of this.headers) {
      const previous = headers[name];
      headers[name] = previous === undefined ? value : [previous, value].flat();
    }
    opts.headers = headers;
    // ws bounds the upgrade (exec, attach, port-forward) by this; the stream itself is unbounded.
    if (this.openTimeoutMs > 0) opts.handshakeTimeout = this.openTimeoutMs;
    // client-node gives every request a fresh agent; kdiag's own (not a proxy's) is kept instead,
    // so that the pod read and the stream opened after it ride one TLS connection.
    if (opts.agent?.constructor === https.Agent) opts.agent = this.keepAgent(opts.agent as https.Agent);
  }

  private kept: https.Agent | undefined;
  private keptAt = 0;

  /** The kept agent, unless `fresh` differs from it in trust or identity (a rotated client certificate). */
  private keepAgent(fresh: https.Agent): https.Agent {
    const wanted = fresh.options as Record<string, unknown>;
    const kept = this.kept?.options as Record<string, unknown> | undefined;
    // Node's own additions to an agent's options, not the caller's.
    const ignored = new Set(["keepAlive", "path", "noDelay"]);
    const names = new Set([...Object.keys(wanted), ...Object.keys(kept ?? {})].filter((name) => !ignored.has(name)));
    const same = (a: unknown, b: unknown) => a === b || (Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b));
    // Kept for the next request of the moment, not for one a long command makes much later (redir
    // reconnecting): a connection idle that long may be gone without a word.
    const recent = Date.now() - this.keptAt < keepAgentMs;
    this.keptAt = Date.now();
    if (this.kept && kept && recent && [...names].every((name) => same(wanted[name], kept[name]))) return this.kept;
    // The last one is dropped, not destroyed: it may still carry a watch. An idle connection of
    // either does not keep the process alive (Node unrefs a kept socket).
    this.kept = new https.Agent({ ...wanted, keepAlive: true });
    return this.kept;
  }

  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig names no cluster");
    return new apiClientType(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi: createHeaderListTransport(this.headers),
      }),
    );
  }
}

const keepAgentMs = 10_000;

/** The Impersonate-* headers of --as, --as-group (one header per group) and --as-uid. */
export function getImpersonationHeaders(impersonate: Impersonation): HeaderList {
  return [
    ...(impersonate.user === undefined ? [] : [["Impersonate-User", impersonate.user] as const]),
    ...impersonate.groups.map((group) => ["Impersonate-Group", group] as const),
    ...(impersonate.uid === undefined ? [] : [["Impersonate-Uid", impersonate.uid] as const]),
  ];
}
