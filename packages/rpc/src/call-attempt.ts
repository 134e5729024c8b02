/**
 * One attempt of a call on one endpoint (what the client's call path hands the endpoint), and the
 * small pieces of a call the client builds around it: its request head and the error its caller
 * sees.
 */
import type { CallOptions, ReplyHandler } from "./client-options.js";
import type { Waiter } from "./endpoint.js";
import { encodeRequestHead } from "./frames.js";
import type { ByteRange } from "./protocol.js";

/** The reply handler of calls given none: the reply's bytes, as a view of the chunk. */
export const AS_BYTES: ReplyHandler<Buffer> = { decode: (reply) => reply.bytes };

/**
 * The request head of a call (its timeout is set when it is sent). A call without trace context
 * or metadata, the common case, gets `scratch` when there is one, rewritten for each call: the
 * writer copies it into its arena at once, so no Buffer is made per call.
 */
export function requestHead(method: number, options: CallOptions, scratch?: Buffer): Buffer {
  if (scratch === undefined || options.traceparent !== undefined || (options.metadata !== undefined && hasKeys(options.metadata))) {
    return encodeRequestHead({ method, timeoutMs: 0, traceparent: options.traceparent, metadata: options.metadata });
  }
  scratch.writeUInt32BE(method >>> 0, 0);
  return scratch;
}

/** The error a call's caller sees for `e`. */
export function failure(handler: ReplyHandler<unknown>, e: unknown): unknown {
  return handler.error === undefined ? e : handler.error(e);
}

/** One attempt of a call on one endpoint: settles the attempt once, and stops watching the caller's signal then. */
export class Attempt<T> implements Waiter {
  #onAbort: (() => void) | undefined;

  constructor(
    readonly deadline: number,
    readonly signal: AbortSignal | undefined,
    readonly handler: ReplyHandler<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (e: unknown) => void,
  ) {}

  /** Cancels the attempt with `onAbort` when the signal aborts. */
  watch(onAbort: () => void): void {
    this.#onAbort = onAbort;
    this.signal?.addEventListener("abort", onAbort, { once: true });
  }

  reply(payload: ByteRange): void {
    this.#unwatch();
    let value: T;
    try {
      value = this.handler.decode(payload);
    } catch (e) {
      this.reject(e);
      return;
    }
    this.resolve(value);
  }

  fail(e: Error): void {
    this.#unwatch();
    this.reject(e);
  }

  #unwatch(): void {
    if (this.#onAbort !== undefined) this.signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** Whether an object has an own enumerable key. */
function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
