// Which conntrack entries a Conntrack call is about: checked by the CLI from its flags and by the
// manager from the request, the one shape on both sides of the call.

export const conntrackProtocols = ["tcp", "udp"] as const;
export type ConntrackProtocol = (typeof conntrackProtocols)[number];

export interface ConntrackFilter {
  protocol?: ConntrackProtocol;
  /** An IP literal: the original direction's destination. */
  destination?: string;
  /** The original direction's destination port. */
  port?: number;
}
