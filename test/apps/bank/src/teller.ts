import { Implements, context, ref, registerError } from "@weaver/core";
import type { Audit } from "./audit.js";
import type { Ledger } from "./ledger.js";
import { lifecycle } from "./lifecycle.js";

/** Thrown when an account cannot pay; its fields cross process boundaries. */
export class InsufficientFunds extends Error {
  constructor(
    readonly account: string,
    readonly missing: number,
  ) {
    super(`account ${account} is short of ${missing}`);
  }

  override get name(): string {
    return "InsufficientFunds";
  }
}
registerError(InsufficientFunds);

/** A payment receipt. */
export interface Receipt {
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly fee: number;
  readonly bank: string;
}

/** The Teller's config, from its section of weaver.toml. */
export interface TellerConfig {
  /** The bank's name, printed on receipts. */
  bank: string;
  /** Fee per payment. */
  fee?: number;
  /** A token the teller keeps secret (a secret reference in the config). */
  token?: string;
}

/** Teller moves money between accounts. */
export interface Teller {
  /**
   * Pays amount from one account to another.
   * @weaver notRetriable
   */
  pay(from: string, to: string, amount: number): Promise<Receipt>;
  /** Waits ms milliseconds, or until the call is cancelled. */
  wait(ms: number): Promise<string>;
  /** Returns the metadata and deadline the call arrived with. */
  callInfo(): Promise<{ metadata: Record<string, string>; hasDeadline: boolean }>;
  /** Tells whether the configured token equals guess (the token itself never leaves). */
  checkToken(guess: string): Promise<boolean>;
  /** Prints a receipt on one line (an object argument: its fields travel as a shared record). */
  reprint(receipt: Receipt): Promise<string>;
}

export class TellerImpl extends Implements<Teller, TellerConfig>() implements Teller {
  ledger = ref<Ledger>();
  private readonly audit = ref<Audit>();

  async init(): Promise<void> {
    // Ledger's init() has run: a component is initialized after the components it refers to.
    lifecycle.push(`init Teller (ledger balance ${await this.ledger.get().balance("init")})`);
  }

  async shutdown(): Promise<void> {
    lifecycle.push("shutdown Teller");
  }

  async pay(from: string, to: string, amount: number): Promise<Receipt> {
    const fee = this.config.fee ?? 0;
    const available = await this.ledger.get().balance(from);
    if (available < amount + fee) throw new InsufficientFunds(from, amount + fee - available);
    await this.ledger.get().deposit(from, -(amount + fee), `to ${to}`);
    await this.ledger.get().deposit(to, amount, `from ${from}`);
    await this.audit.get().record("pay");
    return { from, to, amount, fee, bank: this.config.bank };
  }

  async wait(ms: number): Promise<string> {
    const { signal } = context();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      });
    });
    return "done";
  }

  async callInfo(): Promise<{ metadata: Record<string, string>; hasDeadline: boolean }> {
    const ctx = context();
    return { metadata: { ...ctx.metadata }, hasDeadline: ctx.deadline !== undefined };
  }

  async checkToken(guess: string): Promise<boolean> {
    return this.config.token === guess;
  }

  async reprint(r: Receipt): Promise<string> {
    return `${r.bank}: ${r.from} paid ${r.to} ${r.amount} (fee ${r.fee})`;
  }
}
