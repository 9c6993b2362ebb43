// kdiag's nftables table: created owner-flagged through an NftSession, one chain per redirect.
import { randomBytes } from "node:crypto";
import { NftSession } from "./nft-session.ts";
import { addOwnedTable, addRedirect, deleteRedirect, deleteTable, type Direction } from "./nft-commands.ts";

export interface RedirectTarget {
  direction: Direction;
  port: number;
}

export class RedirectRules {
  readonly table: string;
  readonly #session: NftSession;
  readonly #ipv6: boolean;

  private constructor(options: { session: NftSession; table: string; ipv6: boolean }) {
    this.#session = options.session;
    this.table = options.table;
    this.#ipv6 = options.ipv6;
  }

  // The name carries the pid and a random suffix: two managers (for two target containers,
  // possibly with equal pids in their own pid namespaces) can share one pod network namespace.
  static async open(options: { ipv6: boolean; nft?: string }): Promise<RedirectRules> {
    const session = await NftSession.start({ nft: options.nft });
    const table = `kdiag_${process.pid}_${randomBytes(3).toString("hex")}`;
    try {
      await session.run(addOwnedTable(table));
    } catch (error) {
      await session.close();
      throw error;
    }
    return new RedirectRules({ session, table, ipv6: options.ipv6 });
  }

  get nftPid(): number {
    return this.#session.pid;
  }

  install(target: RedirectTarget & { toPort: number }): Promise<void> {
    return this.#session.run(addRedirect({ table: this.table, ipv6: this.#ipv6, ...target }));
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
