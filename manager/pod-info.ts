// What the Version call reports about the pod: the iptables flavour its other tenants (a
// service mesh's init container, kube-proxy) already use, whether it has IPv6, and the kernel.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { release } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

export type IptablesMode = "legacy" | "nft" | "none";

export interface PodInfo {
  iptablesMode: IptablesMode;
  ipv6: boolean;
  kernel: string;
}

/**
 * Gathered once per manager, on the first Version call, then answered from memory: each call
 * would otherwise run four *-save tools, and anyone on the pod's loopback could call Version in a
 * loop. The iptables flavour needs no refreshing: whoever decides it wrote their rules before the
 * manager existed (a mesh's init container runs before any app container, let alone an
 * ephemeral one), and it only advises the CLI. IPv6 and the kernel do not change.
 */
export const describePod = once(readPodInfo);

// `read`'s promise, made on the first call and shared by every call after it.
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}

async function readPodInfo(): Promise<PodInfo> {
  const [legacyRules, nftRules, ifInet6] = await Promise.all([
    countSavedRules(["iptables-legacy-save", "ip6tables-legacy-save"]),
    countSavedRules(["iptables-nft-save", "ip6tables-nft-save"]),
    // Absent when the kernel has no IPv6 at all.
    readFile("/proc/net/if_inet6", "utf8").catch(() => ""),
  ]);
  return {
    iptablesMode: chooseIptablesMode({ legacyRules, nftRules }),
    ipv6: hasRoutableIpv6(ifInet6),
    kernel: release(),
  };
}

/**
 * As Istio and Kubernetes' iptables-wrappers decide: whichever backend holds more rules is the
 * one in use; nft on a tie, as it is the default of current distributions; "none" when neither
 * holds any (or neither tool is installed).
 */
export function chooseIptablesMode(options: { legacyRules: number; nftRules: number }): IptablesMode {
  const { legacyRules, nftRules } = options;
  if (legacyRules === 0 && nftRules === 0) return "none";
  return legacyRules > nftRules ? "legacy" : "nft";
}

/** Rules are the lines of `iptables-save` output that start with "-" ("-A CHAIN ..."). */
export function countRules(saveOutput: string): number {
  return saveOutput.split("\n").filter((line) => line.startsWith("-")).length;
}

/**
 * The pod has IPv6 when an interface holds an address beyond loopback and link-local: every
 * interface gets an fe80:: address whenever the kernel has IPv6, whether or not the cluster
 * gives pods IPv6. /proc/net/if_inet6 columns: address, ifindex, prefix length, scope, flags,
 * name; scope 0x10 is host (loopback), 0x20 link; flag 0x08 is a failed duplicate detection.
 */
export function hasRoutableIpv6(ifInet6: string): boolean {
  return ifInet6
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .some((fields) => {
      if (fields.length < 6) return false;
      const scope = parseInt(fields[3]!, 16);
      const flags = parseInt(fields[4]!, 16);
      return scope !== 0x10 && scope !== 0x20 && (flags & 0x08) === 0;
    });
}

/** A tool that is missing or fails (no such table, no kernel module) contributes no rules. */
async function countSavedRules(commands: string[]): Promise<number> {
  let total = 0;
  for (const command of commands) {
    // A broken nft backend can hang; kube's iptables-wrapper gives it 5 s too.
    const output = await run(command, [], { timeout: 5_000 }).then(
      ({ stdout }) => stdout,
      () => "",
    );
    total += countRules(output);
  }
  return total;
}
