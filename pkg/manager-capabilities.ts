// A manager that started without the capabilities a feature needs says so in its Version answer
// (manager/capabilities.ts); the command reports that cause in one line before it tries, rather
// than a timeout or a failure in the kernel's words later.
import type { MissingCapabilities } from "../api/gen/kdiag.ts";
import { KdiagError } from "./errors.ts";
import { createManagerCalls } from "./manager-call.ts";
import type { ManagerConnection } from "./manager-client.ts";

export const features = {
  redirects: "redir needs for its nftables rules",
  shell: "shell needs to enter the target container",
} as const;

export type Feature = keyof typeof features;

/** The one-line refusal when the manager lacks what `feature` needs; undefined when it has it all. */
export function describeMissingCapabilities(
  missing: MissingCapabilities[],
  feature: Feature,
  where: { container: string; podName: string },
): string | undefined {
  const lacks = missing.find((entry) => entry.feature === feature)?.capabilities ?? [];
  if (lacks.length === 0) return undefined;
  return (
    `kdiag's container \`${where.container}\` in pod \`${where.podName}\` lacks ${lacks.join(", ")}, which ${features[feature]}; ` +
    "an admission policy or the container runtime removed it from the privileged container — ask a cluster admin to allow privileged ephemeral containers here, or debug in a namespace that does"
  );
}

/**
 * Asks the manager's Version and refuses when it lacks what `feature` needs; a container already
 * found to have it all is not asked again (its capabilities are fixed when it starts).
 */
export async function requireCapabilities(connection: ManagerConnection, feature: Feature): Promise<void> {
  if (await connection.checkedFeatures.has(feature)) return;
  const response = await createManagerCalls(connection.client, connection).version();
  const refusal = describeMissingCapabilities(response.missingCapabilities, feature, connection);
  if (refusal) throw new KdiagError(refusal);
  await connection.checkedFeatures.remember(feature);
}
