/**
 * A call being served, as its handler sees it (CallInfo). Its AbortSignal is made only when
 * someone asks for it: creating an AbortSignal costs more than the rest of a small call on
 * Node 20, and most calls are never cancelled. Code on the hot path watches `aborted` and
 * `listen()` instead.
 */
import type { ByteRange, RequestHeader } from "./protocol.js";
import type { CallInfo } from "./server.js";

/** How a call is answered: by its connection, which sends only the first answer of each call. */
export type Settle = (call: ServerCall, value: unknown, failed: boolean) => void;

/** A call being served. */
export class ServerCall implements CallInfo {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: ((reason: unknown) => void)[] | undefined;
  readonly method: number;
  readonly traceparent: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;

  constructor(
    /** The request id on its connection. */
    readonly id: number,
    readonly settle: Settle,
    request: RequestHeader,
    readonly deadline: number | undefined,
    readonly peer: string,
    readonly identity: string | undefined,
  ) {
    this.method = request.method;
    this.traceparent = request.traceparent;
    this.metadata = request.metadata;
  }

  resolve(result: Uint8Array | ByteRange): void {
    this.settle(this, result, false);
  }

  reject(e: unknown): void {
    this.settle(this, e, true);
  }

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
