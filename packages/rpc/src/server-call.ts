/**
 * A call being served, as its handler sees it (CallInfo). Its AbortSignal is made only when
 * someone asks for it: creating an AbortSignal costs more than the rest of a small call on
 * Node 20, and most calls are never cancelled. Code on the hot path watches `aborted` and
 * `listen()` instead.
 */
import type { CallInfo } from "./server.js";

/** A call being served. */
export class ServerCall implements CallInfo {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: ((reason: unknown) => void)[] | undefined;

  constructor(
    readonly method: number,
    readonly deadline: number | undefined,
    readonly traceparent: string | undefined,
    readonly metadata: Readonly<Record<string, string>> | undefined,
    readonly peer: string,
    readonly identity: string | undefined,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get abortReason(): unknown {
    return this.#reason;
  }

  listen(onAbort: (reason: unknown) => void): () => void {
    (this.#listeners ??= []).push(onAbort);
    return () => {
      const list = this.#listeners;
      const i = list === undefined ? -1 : list.indexOf(onAbort);
      if (i >= 0) list!.splice(i, 1);
    };
  }

  /** Aborts the call once: its signal (if made) and its listeners see `reason`. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const l of listeners) l(reason);
  }
}
