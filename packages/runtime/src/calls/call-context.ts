/**
 * The implicit call context. Every component call runs inside a context that carries a deadline,
 * an AbortSignal and string metadata (and, for RPC, trace context). The context travels with the
 * async call chain through AsyncLocalStorage, so methods never take it as a parameter; the RPC
 * layer sends it across processes and re-establishes it on the server side.
 *
 * Invariant: a child context never extends its parent's deadline, and its signal aborts whenever
 * the parent's does.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { CancelledError, DeadlineExceededError } from "./call-errors.js";
import type { Context } from "@opentelemetry/api";
import type { WeaverSpan } from "../tracing/span.js";
import { processGlobal } from "../process-global.js";

/** What a component method can learn about the call it is serving. */
export interface CallContext {
  /** Absolute deadline in milliseconds since the epoch, or undefined when the call has none. */
  readonly deadline: number | undefined;
  /** Aborts when the call is cancelled or its deadline passes; its reason says which. */
  readonly signal: AbortSignal;
  /** String metadata attached by callers up the chain (see withMetadata). */
  readonly metadata: Readonly<Record<string, string>>;
  /** W3C traceparent of the current span, when tracing is on. */
  readonly traceparent: string | undefined;
}

/** What the runtime keeps in a context beyond what methods see: the span calls are children of. */
export interface ContextState extends CallContext {
  /** The current span, when the call is traced (sampled). */
  readonly span?: WeaverSpan | undefined;
  /** The OpenTelemetry context the app entered with the OpenTelemetry API, if any (see tracer.ts). */
  readonly otel?: Context | undefined;
}

const neverAborted = new AbortController().signal;
const ROOT: ContextState = Object.freeze({
  deadline: undefined,
  signal: neverAborted,
  metadata: Object.freeze({}),
  traceparent: undefined,
});

// One context per process: calls made through one copy of this package and served through another keep it.
const storage = processGlobal("call context", 1, () => new AsyncLocalStorage<ContextState>());

/** Returns the context of the current call, or an empty one outside any call. */
export function context(): CallContext {
  return storage.getStore() ?? ROOT;
}

/** The current span, when the current call is traced. */
export function activeSpan(): WeaverSpan | undefined {
  return storage.getStore()?.span;
}

/**
 * Returns the current context only when one was established; the fast path of stubs uses this to
 * skip deadline handling for calls that have none.
 */
export function activeContext(): ContextState | undefined {
  return storage.getStore();
}

/** Options for a derived context. */
export interface ContextOptions {
  /** Milliseconds from now; the earlier of this and the parent's deadline wins. */
  readonly timeoutMs?: number | undefined;
  /** An extra signal that cancels the call when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /** Metadata merged over the parent's. */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** Replaces the trace context. */
  readonly traceparent?: string | undefined;
}

/**
 * Runs fn in a context derived from the current one and settles with fn's result, or rejects with
 * the signal's reason (DeadlineExceededError, CancelledError) as soon as the context aborts.
 */
export function runWithContext<T>(options: ContextOptions, fn: () => Promise<T> | T): Promise<T> {
  const parent = storage.getStore() ?? ROOT;
  const now = Date.now();
  let deadline = parent.deadline;
  if (options.timeoutMs !== undefined) {
    const own = now + Math.max(0, options.timeoutMs);
    deadline = deadline === undefined ? own : Math.min(deadline, own);
  }
  const controller = new AbortController();
  const sources = [parent.signal, options.signal].filter((s): s is AbortSignal => s !== undefined && s !== neverAborted);
  const onAbort = (event: Event): void => {
    controller.abort(abortReason((event.target as AbortSignal).reason));
  };
  for (const s of sources) {
    if (s.aborted) controller.abort(abortReason(s.reason));
    else s.addEventListener("abort", onAbort, { once: true });
  }
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined && !controller.signal.aborted) {
    const ms = deadline - now;
    if (ms <= 0) controller.abort(new DeadlineExceededError());
    else timer = setTimeout(() => controller.abort(new DeadlineExceededError()), ms);
  }
  const child: ContextState = {
    deadline,
    signal: controller.signal,
    metadata: options.metadata ? { ...parent.metadata, ...options.metadata } : parent.metadata,
    traceparent: options.traceparent ?? parent.traceparent,
    span: options.traceparent === undefined ? parent.span : undefined,
  };
  const cleanup = (): void => {
    if (timer) clearTimeout(timer);
    for (const s of sources) s.removeEventListener("abort", onAbort);
  };
  const result = raceSignal(
    storage.run(child, () => {
      if (controller.signal.aborted) return Promise.reject(controller.signal.reason as Error);
      return Promise.resolve().then(fn);
    }),
    controller.signal,
  );
  result.then(cleanup, cleanup);
  return result;
}

/**
 * The reason a derived context aborts with, given the reason of the signal that cancelled it:
 * the platform's own reasons (`abort()` without a reason, `AbortSignal.timeout()`) become
 * CancelledError and DeadlineExceededError, which keep their class across processes; any other
 * Error is kept as it is.
 */
function abortReason(reason: unknown): Error {
  if (reason instanceof DOMException && reason.name === "TimeoutError") return new DeadlineExceededError();
  if (reason instanceof DOMException && reason.name === "AbortError") return new CancelledError();
  return reason instanceof Error ? reason : new CancelledError();
}

/**
 * Runs fn with a deadline `ms` milliseconds from now (never later than the current deadline).
 * Calls made inside fn carry the deadline, across processes too; if fn has not settled when the
 * deadline passes, the returned promise rejects with DeadlineExceededError and context().signal
 * aborts, so work that honours it stops.
 *
 * @example
 * const name = await withDeadline(200, () => this.reverser.get().reverse("abc"));
 */
export function withDeadline<T>(ms: number, fn: () => Promise<T> | T): Promise<T> {
  return runWithContext({ timeoutMs: ms }, fn);
}

/** Runs fn with metadata merged into the context; calls made inside fn carry it across processes. */
export function withMetadata<T>(metadata: Readonly<Record<string, string>>, fn: () => Promise<T> | T): Promise<T> {
  return runWithContext({ metadata }, fn);
}

/**
 * Runs fn so that it is cancelled when `signal` aborts (for example a request's signal); the
 * returned promise then rejects with CancelledError (DeadlineExceededError for a signal made by
 * AbortSignal.timeout()), or with the signal's reason when that is an Error of the app's own.
 */
export function withSignal<T>(signal: AbortSignal, fn: () => Promise<T> | T): Promise<T> {
  return runWithContext({ signal }, fn);
}

/**
 * Runs fn in exactly the given context (used by servers to re-establish a caller's context).
 * Unlike runWithContext it neither derives nor races; the caller owns the signal.
 */
export function enterContext<T>(ctx: ContextState, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** Runs fn in the current context (or a root one) with `span` as the current span. */
export function enterSpan<T>(span: WeaverSpan, fn: () => T): T {
  return storage.run(withSpan(storage.getStore() ?? ROOT, span), fn);
}

/** The context `ctx` with `span` as its current span (and the span's traceparent). */
export function withSpan(ctx: ContextState, span: WeaverSpan | undefined): ContextState {
  const traceparent = span?.traceparent;
  if (ctx instanceof ServerCallContext) return new ServerCallContext(ctx.source, ctx.deadline, ctx.metadata, traceparent, span);
  return { deadline: ctx.deadline, signal: ctx.signal, metadata: ctx.metadata, traceparent, span };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal === neverAborted) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** A call being served whose cancellation can be watched without making its AbortSignal. */
export interface AbortSource {
  readonly signal: AbortSignal;
  readonly aborted: boolean;
  readonly abortReason: unknown;
  listen(onAbort: (reason: unknown) => void): () => void;
}

/**
 * The context of a call a server received. Its signal is the call's own, made on first use;
 * the local call path watches the call through `source` instead, which costs nothing until
 * the call is cancelled.
 */
export class ServerCallContext implements ContextState {
  constructor(
    /** The call being served. */
    readonly source: AbortSource,
    readonly deadline: number | undefined,
    readonly metadata: Readonly<Record<string, string>>,
    readonly traceparent: string | undefined,
    readonly span?: WeaverSpan,
  ) {}

  get signal(): AbortSignal {
    return this.source.signal;
  }
}

/** Whether a context has been aborted, and why; undefined when it has not. */
export function abortedReason(ctx: CallContext): Error | undefined {
  if (ctx instanceof ServerCallContext) return ctx.source.aborted ? (ctx.source.abortReason as Error) : undefined;
  return ctx.signal.aborted ? (ctx.signal.reason as Error) : undefined;
}

/** Settles like `promise`, or rejects as soon as the context aborts. */
export function raceContext<T>(promise: Promise<T>, ctx: CallContext): Promise<T> {
  if (!(ctx instanceof ServerCallContext)) return raceSignal(promise, ctx.signal);
  const source = ctx.source;
  if (source.aborted) {
    promise.catch(() => {});
    return Promise.reject(source.abortReason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = source.listen((reason) => reject(reason as Error));
    promise.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e: unknown) => {
        stop();
        reject(e);
      },
    );
  });
}
