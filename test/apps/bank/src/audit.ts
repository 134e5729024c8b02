import { Implements } from "@weaver/core";

/** Audit counts events; record() is retriable, so a retry records twice. */
export interface Audit {
  record(event: string): Promise<void>;
  count(event: string): Promise<number>;
}

export class AuditImpl extends Implements<Audit>() implements Audit {
  readonly #counts = new Map<string, number>();

  async record(event: string): Promise<void> {
    this.#counts.set(event, (this.#counts.get(event) ?? 0) + 1);
  }

  async count(event: string): Promise<number> {
    return this.#counts.get(event) ?? 0;
  }
}
