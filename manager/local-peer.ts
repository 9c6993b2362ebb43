// Incoming redirects take connections that arrive from outside the pod (PREROUTING never sees a
// connection the pod makes itself). A connection to the redirect listener from one of the pod's
// own addresses therefore did not come through the rule: it is a process of the pod dialling the
// listener directly, trying to reach the user's machine, and is refused.
import { networkInterfaces } from "node:os";

/** Is `address` (as a socket reports it, possibly ::ffff:-mapped) one of this namespace's own? */
export function isOwnAddress(address: string | undefined, interfaces = networkInterfaces()): boolean {
  if (address === undefined) return true;
  const plain = address.replace(/^::ffff:(?=\d+\.)/, "");
  if (plain.startsWith("127.") || plain === "::1") return true;
  return Object.values(interfaces).some((entries) => (entries ?? []).some((entry) => entry.address === plain));
}
