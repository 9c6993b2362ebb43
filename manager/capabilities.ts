// Which of kdiag's features the manager can serve with the capabilities it was given. A pod's
// securityContext, an admission policy or the runtime may strip them from kdiag's container; the
// Version call then names what is missing, so every command says so instead of timing out.
import { readFile } from "node:fs/promises";

/** Capability numbers (linux/capability.h) of the ones kdiag needs. */
const capabilityNumbers = {
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_NET_ADMIN: 12,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
} as const;

export type CapabilityName = keyof typeof capabilityNumbers;

/**
 * What each feature needs. redirects: nft's rules and table (NET_ADMIN; the rules only redirect
 * and DNAT, no raw sockets). shell: enter's setns into the target's namespaces (SYS_ADMIN), its
 * chroot into the target's root (SYS_CHROOT), /proc/<pid>/ns and root of another uid's process
 * (SYS_PTRACE), and the drop to the target's user (SETUID, SETGID, SETPCAP for the securebits).
 */
export const featureNeeds = {
  redirects: ["CAP_NET_ADMIN"],
  shell: ["CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"],
} as const satisfies Record<string, readonly CapabilityName[]>;

export interface MissingCapabilities {
  feature: string;
  capabilities: string[];
}

/** The effective set from a /proc/<pid>/status text (its CapEff line, hexadecimal). */
export function parseEffectiveCapabilities(status: string): bigint {
  const match = /^CapEff:\s*([0-9a-f]+)$/im.exec(status);
  if (!match?.[1]) throw new Error("no CapEff line in /proc/self/status");
  return BigInt(`0x${match[1]}`);
}

/** For each feature lacking something, what it lacks; empty when the manager has all it needs. */
export function findMissingCapabilities(effective: bigint): MissingCapabilities[] {
  const has = (name: CapabilityName) => (effective >> BigInt(capabilityNumbers[name])) & 1n;
  return Object.entries(featureNeeds)
    .map(([feature, needs]) => ({ feature, capabilities: needs.filter((name) => !has(name)) }))
    .filter((entry) => entry.capabilities.length > 0);
}

export async function readMissingCapabilities(): Promise<MissingCapabilities[]> {
  return findMissingCapabilities(parseEffectiveCapabilities(await readFile("/proc/self/status", "utf8")));
}
