// kdiag's nftables table: created owner-flagged through an NftSession, one chain per redirect.
import { randomBytes } from "node:crypto";
import { NftSession } from "./nft-session.ts";
import { addOwnedTable, addRedirect, deleteRedirect, deleteTable, type Direction, type RedirectRule } from "./nft-commands.ts";

// Distributes over the union, keeping each direction's own ports.
export type RedirectRuleWithoutTable = RedirectRule extends infer Rule ? (Rule extends RedirectRule ? Omit<Rule, "table"> : never) : never;

export interface RedirectTarget {
  direction: Direction;
  port: number;
}

export class RedirectRules {
  readonly table: string;
  readonly #session: NftSession;

  private constructor(options: { session: NftSession; table: string }) {
    this.#session = options.session;
    this.table = options.table;
  }

  // The name carries the pid and a random suffix: two managers (for two target containers,
  // possibly with equal pids in their own pid namespaces) can share one pod network namespace.
  static async open(options: { nft?: string[] } = {}): Promise<RedirectRules> {
    const session = await NftSession.start({ nft: options.nft });
    const table = `kdiag_${process.pid}_${randomBytes(3).toString("hex")}`;
    try {
      await session.run(addOwnedTable(table));
    } catch (error) {
      await session.close();
      throw error;
    }
    return new RedirectRules({ session, table });
  }

  get nftPid(): number {
    return this.#session.pid;
  }

  // Resolves if the nft process holding the table goes away: every rule went with it.
  get lost(): Promise<Error> {
    return this.#session.exited;
  }

  install(rule: RedirectRuleWithoutTable): Promise<void> {
    return this.#session.run(addRedirect({ ...rule, table: this.table }));
  }

  remove(target: RedirectTarget): Promise<void> {
    return this.#session.run(deleteRedirect({ table: this.table, ...target }));
  }

  // Deletes the table explicitly, then lets nft go (which would drop the table anyway).
  async close(): Promise<void> {
    await this.#session.run(deleteTable({ family: "inet", name: this.table })).catch(() => {});
    await this.#session.close();
  }
}
