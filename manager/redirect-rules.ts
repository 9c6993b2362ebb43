// kdiag's nftables table: created owner-flagged through an NftSession, one chain per redirect.
// When nft goes (killed, crashed, timed out) the kernel drops the table with every rule in it;
// a fresh session with a fresh table takes its place, so the next redirect works.
import { randomBytes } from "node:crypto";
import { findInit, tieToManager } from "./init-process.ts";
import { NftSession } from "./nft-session.ts";
import { addOwnedTable, addRedirect, deleteRedirect, deleteTable, type Direction, type RedirectRule } from "./nft-commands.ts";

// Distributes over the union, keeping each direction's own ports.
export type RedirectRuleWithoutTable = RedirectRule extends infer Rule ? (Rule extends RedirectRule ? Omit<Rule, "table"> : never) : never;

export interface RedirectTarget {
  direction: Direction;
  port: number;
}

export interface LostRules {
  table: string;
  error: Error;
}

export interface RedirectRulesOptions {
  // The command that runs nft; by default nft that dies with the manager (init-process.ts).
  nft?: string[];
  // How long nft may take to answer one command (NftSession's default unless told).
  timeoutMs?: number;
  // nft is gone and every rule of `table` with it; a fresh session is being started.
  onLost?: (lost: LostRules) => void;
  // Starting a fresh session failed `restartAttempts` times in a row: no redirect can work again.
  onBroken?: (error: Error) => void;
}

// One nft process and the table it owns; `installed` holds the redirects whose chain is in it.
interface Live {
  session: NftSession;
  table: string;
  installed: Set<string>;
}

export const restartAttempts = 3;
const restartDelayMs = 1_000;

export class RedirectRules {
  readonly #options: RedirectRulesOptions;
  #live: Live | undefined;
  // The live table, or the restart that will give one (rejected once restarting gave up).
  #ready: Promise<Live>;
  #closed = false;

  private constructor(options: RedirectRulesOptions, live: Live) {
    this.#options = options;
    this.#live = live;
    this.#ready = Promise.resolve(live);
    this.#watch(live);
  }

  // Rejects if the first session cannot be had (no nft, no CAP_NET_ADMIN): nothing to restart.
  static async open(options: RedirectRulesOptions = {}): Promise<RedirectRules> {
    return new RedirectRules(options, await openTable(options));
  }

  // The current table's name (the last one while a restart is under way).
  get table(): string {
    return this.#live?.table ?? "";
  }

  // Waits for a restart in progress; the rule goes into the table live at that moment.
  async install(rule: RedirectRuleWithoutTable): Promise<void> {
    const live = await this.#ready;
    await live.session.run(addRedirect({ ...rule, table: live.table }));
    live.installed.add(keyOf(rule));
  }

  // A rule whose table went with its nft is already gone: nothing to do.
  async remove(target: RedirectTarget): Promise<void> {
    const live = this.#live;
    if (!live?.installed.has(keyOf(target))) return;
    await live.session.run(deleteRedirect({ table: live.table, ...target }));
    live.installed.delete(keyOf(target));
  }

  // Deletes the table explicitly, then lets nft go (which would drop the table anyway).
  async close(): Promise<void> {
    this.#closed = true;
    const live = await this.#ready.catch(() => undefined);
    if (!live) return;
    await live.session.run(deleteTable({ family: "inet", name: live.table })).catch(() => {});
    await live.session.close();
  }

  #watch(live: Live): void {
    void live.session.exited.then((error) => {
      if (this.#closed) return;
      this.#live = undefined;
      this.#ready = this.#restart();
      this.#ready.catch(() => {}); // reported through onBroken; install() rejects with it
      this.#options.onLost?.({ table: live.table, error });
    });
  }

  async #restart(): Promise<Live> {
    let lastError = new Error("nft could not be restarted");
    for (let attempt = 1; attempt <= restartAttempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, restartDelayMs));
      if (this.#closed) break;
      try {
        const live = await openTable(this.#options);
        this.#live = live;
            this.#watch(live);
        return live;
      } catch (error) {
        lastError = error as Error;
      }
    }
    if (!this.#closed) this.#options.onBroken?.(lastError);
    throw lastError;
  }
}

// The name carries the pid and a random suffix (the shape isKdiagTableName knows): two managers
// (for two target containers, possibly with equal pids in their own pid namespaces) can share one
// pod network namespace, and a restarted session never reuses the name of the table that went
// with the last one.
async function openTable(options: RedirectRulesOptions): Promise<Live> {
  const nft = options.nft ?? tieToManager({ init: findInit(), command: ["nft"] });
  const session = await NftSession.start({ nft, timeoutMs: options.timeoutMs });
  const table = `kdiag_${process.pid}_${randomBytes(3).toString("hex")}`;
  try {
    await session.run(addOwnedTable(table));
  } catch (error) {
    await session.close();
    throw error;
  }
  return { session, table, installed: new Set() };
}

function keyOf(target: RedirectTarget): string {
  return `${target.direction}:${target.port}`;
}
