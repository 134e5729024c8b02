import { Implements } from "@weaver/core";
import { lifecycle } from "./lifecycle.js";

/** One movement of money. */
export interface Entry {
  readonly amount: number;
  readonly at: Date;
  readonly tags: Set<string>;
  readonly memo?: string;
}

/** Ledger keeps balances. */
export interface Ledger {
  /**
   * Adds amount to an account and returns the new balance. Not idempotent.
   * @weaver notRetriable
   */
  deposit(account: string, amount: number, memo?: string): Promise<number>;
  /** Returns an account's balance. */
  balance(account: string): Promise<number>;
  /** Returns an account's movements, oldest first. */
  history(account: string): Promise<Entry[]>;
  /** Returns every balance. */
  balances(): Promise<Map<string, bigint>>;
}

export class LedgerImpl extends Implements<Ledger>() implements Ledger {
  readonly #entries = new Map<string, Entry[]>();

  async init(): Promise<void> {
    lifecycle.push("init Ledger");
  }

  async shutdown(): Promise<void> {
    lifecycle.push("shutdown Ledger");
  }

  async deposit(account: string, amount: number, memo?: string): Promise<number> {
    const list = this.#entries.get(account) ?? [];
    list.push({ amount, at: new Date(), tags: new Set(amount < 0 ? ["debit"] : ["credit"]), ...(memo === undefined ? {} : { memo }) });
    this.#entries.set(account, list);
    return this.balance(account);
  }

  async balance(account: string): Promise<number> {
    return (this.#entries.get(account) ?? []).reduce((sum, e) => sum + e.amount, 0);
  }

  async history(account: string): Promise<Entry[]> {
    return this.#entries.get(account) ?? [];
  }

  async balances(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const account of this.#entries.keys()) out.set(account, BigInt(await this.balance(account)));
    return out;
  }
}
