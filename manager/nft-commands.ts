// Typed builders for the nft commands the manager runs (STYLE.md "Typed over stringly"). Each
// returns one command line for `nft -i`; test/unit/manager-nft-commands.test.ts pins their text.

export type Direction = "incoming" | "outgoing";

const tableFamilies = ["ip", "ip6", "inet", "arp", "bridge", "netdev"] as const;
export type TableFamily = (typeof tableFamilies)[number];

function isTableFamily(word: string): word is TableFamily {
  return (tableFamilies as readonly string[]).includes(word);
}

export interface TableRef {
  family: TableFamily;
  name: string;
}

// `port` is the pod port whose traffic is taken; the `to` ports are the manager's listeners.
export type RedirectRule =
  // One dual-stack listener: `redirect` keeps the address family.
  | { table: string; direction: "incoming"; port: number; toPort: number }
  // Loopback listeners, one per family; no IPv6 port, no IPv6 rule (a pod without IPv6).
  | { table: string; direction: "outgoing"; port: number; toPort4: number; toPort6?: number };

// Why -110 on both hooks: a connection gets one destination NAT binding, from the first nat chain
// (in priority order) that rewrites it, and later nat chains of that hook are not consulted for
// it. A service mesh's capture (istio-init's or proxy-init's iptables nat PREROUTING/OUTPUT,
// legacy or nft-backed, and Istio's nftables table) sits at -100 (dstnat), so our chains run first
// and our redirect wins for the port we take, while every other port stays the mesh's. At an equal
// -100 the winner would depend on which table was registered first; past -100 the mesh wins (both
// seen on a real netns); below -200 a nat chain is refused (conntrack runs there).
// test/e2e/mesh.test.ts checks this against all three kinds of mesh. `dstnat` is not a valid name
// at the output hook, hence the number there.
const chainHooks = {
  incoming: "type nat hook prerouting priority dstnat - 10;",
  outgoing: "type nat hook output priority -110;",
} as const satisfies Record<Direction, string>;

function nameChain(options: { direction: Direction; port: number }): string {
  return `${options.direction}_${options.port}`;
}

// Only connections the rule itself sent may reach the manager's listener: a process of the pod
// (or another host) dialling the listener's port directly is reset. Redirected connections carry
// conntrack's dnat status (`redirect` is a dnat); direct ones do not.
const guardHook = "type filter hook input priority -10;";

function nameGuard(options: { direction: Direction; port: number }): string {
  return `${nameChain(options)}_guard`;
}

function describeRule(port: number): string {
  return `comment "kdiag port ${port}"`;
}

/**
 * Whether NAME has the shape of the tables kdiag creates (`kdiag_<pid>_<6 hex>`, redirect-rules.ts):
 * only those are kdiag's to remove. A node's network namespace (a host-network pod, `rules
 * --node`) holds other programs' tables, whose names may start with "kdiag" too.
 */
export function isKdiagTableName(name: string): boolean {
  return /^kdiag_\d+_[0-9a-f]{6}$/.test(name);
}

// `flags owner`: the kernel deletes the table when the nft process holding it exits, SIGKILL
// included, so a killed manager cannot leave a redirect behind.
export function addOwnedTable(name: string): string {
  return `add table inet ${name} { flags owner; }`;
}

// As an argument vector for a one-shot `nft` run, and as an `nft -i` line.
export function deleteTableArgs(table: TableRef): string[] {
  return ["delete", "table", table.family, table.name];
}

export function deleteTable(table: TableRef): string {
  return deleteTableArgs(table).join(" ");
}

// A chain of its own per redirect, so removing one is a single `delete chain` (the kernel drops
// its rules with it) and no rule handles need tracking.
export function addRedirect(rule: RedirectRule): string {
  const chain = nameChain(rule);
  const commands = [`add chain inet ${rule.table} ${chain} { ${chainHooks[rule.direction]} }`];
  const comment = describeRule(rule.port);
  switch (rule.direction) {
    case "incoming":
      commands.push(`add rule inet ${rule.table} ${chain} tcp dport ${rule.port} redirect to :${rule.toPort} ${comment}`);
      break;
    case "outgoing":
      // Loopback destinations are left alone: the pod talking to itself is not "outgoing".
      commands.push(
        `add rule inet ${rule.table} ${chain} ip daddr != 127.0.0.0/8 tcp dport ${rule.port} ` +
          `dnat ip to 127.0.0.1:${rule.toPort4} ${comment}`,
      );
      if (rule.toPort6 !== undefined) {
        commands.push(
          `add rule inet ${rule.table} ${chain} ip6 daddr != ::1 tcp dport ${rule.port} ` +
            `dnat ip6 to [::1]:${rule.toPort6} ${comment}`,
        );
      }
      break;
  }
  const guard = nameGuard(rule);
  const listeners = rule.direction === "incoming" ? [rule.toPort] : [rule.toPort4, ...(rule.toPort6 === undefined ? [] : [rule.toPort6])];
  const toPorts = listeners.length === 1 ? String(listeners[0]) : `{ ${listeners.join(", ")} }`;
  commands.push(
    `add chain inet ${rule.table} ${guard} { ${guardHook} }`,
    `add rule inet ${rule.table} ${guard} tcp dport ${toPorts} ct status dnat accept ${comment}`,
    `add rule inet ${rule.table} ${guard} tcp dport ${toPorts} reject with tcp reset ${comment}`,
  );
  // One line is one nft transaction: the chains and their rules appear together or not at all.
  return commands.join("; ");
}

export function deleteRedirect(options: { table: string; direction: Direction; port: number }): string {
  return `delete chain inet ${options.table} ${nameChain(options)}; delete chain inet ${options.table} ${nameGuard(options)}`;
}

// A command that always fails with a line naming `marker`; see nft-session.ts.
export function addSyncMarker(marker: string): string {
  return `list table inet ${marker}`;
}

// Parses `nft list tables` output ("table inet kdiag_12_ab34") into references.
export function parseTables(output: string): TableRef[] {
  const tables: TableRef[] = [];
  for (const line of output.split("\n")) {
    const [word, family, name, ...rest] = line.trim().split(/\s+/);
    if (word === "table" && family && isTableFamily(family) && name && rest.length === 0) {
      tables.push({ family, name });
    }
  }
  return tables;
}
