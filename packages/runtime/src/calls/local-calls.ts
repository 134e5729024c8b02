/** What generated local stubs call: statistics and deadline enforcement around a direct call. */
import { SpanKind } from "@opentelemetry/api";
import { abortedReason, activeContext, enterContext, raceContext, withSpan } from "./call-context.js";
import { DeadlineExceededError } from "./call-errors.js";
import { MethodMetrics } from "../metrics/method-metrics.js";
import { MethodStats } from "../metrics/method-stats.js";
import type { MethodManifest } from "../generated/manifest.js";
import { shortName } from "../names.js";
import { endSpan, startChildSpan } from "../tracing/tracer.js";

/** Options of LocalCalls. */
export interface LocalCallsOptions {
  /**
   * The calling component, when the stub serves one caller: its calls are then recorded in the
   * method metrics too (see method-metrics.ts). Stubs that serve RPC calls have none.
   */
  readonly caller?: string;
  /** Statistics to share with the component's other stubs (by default, new ones). */
  readonly stats?: readonly MethodStats[];
}

/**
 * The local call path of one component. A local stub calls `call(i, fn)` for method i; the call
 * is counted (and sometimes timed, see MethodStats), and if the caller's context can abort, the
 * returned promise rejects as soon as it does; a call made once the context has aborted, or its
 * deadline has passed, rejects without calling the method. Without a context, the
 * implementation's own promise is returned: the stub then costs a few counters and an error observer.
 * Inside a traced call, a caller's stub records an internal span (`reverser.Reverser.reverse`).
 */
export class LocalCalls {
  /** Statistics per method, index-aligned with the manifest's methods. */
  readonly stats: readonly MethodStats[];
  /** Method metrics per method, for a stub with a caller. */
  readonly #metrics: readonly MethodMetrics[] | undefined;
  /** Per method: counts an error in the statistics and the metrics (bound once: no allocation per call). */
  readonly #failed: readonly (() => void)[];
  /** Span names per method. */
  readonly #spanNames: readonly string[];

  constructor(component: string, methods: readonly MethodManifest[], options: LocalCallsOptions = {}) {
    this.stats = options.stats ?? methods.map((m) => new MethodStats(component, m.name));
    const caller = options.caller;
    const metrics =
      caller === undefined ? undefined : methods.map((m) => new MethodMetrics({ caller, component, method: m.name, remote: false }));
    this.#metrics = metrics;
    this.#spanNames = methods.map((m) => `${shortName(component)}.${m.name}`);
    this.#failed = this.stats.map((s, i) => {
      const m = metrics?.[i];
      if (m === undefined) return s.failed;
      return () => {
        s.failed();
        m.failed();
      };
    });
  }

  /** Calls method `method` through `fn`, recording it. */
  call<T>(method: number, fn: () => Promise<T>): Promise<T> {
    const stats = this.stats[method] as MethodStats;
    const metrics = this.#metrics?.[method];
    metrics?.calls.inc();
    const timed = stats.begin();
    const start = timed ? performance.now() : 0;
    const ctx = activeContext();
    let result: Promise<T>;
    const aborted = ctx === undefined ? undefined : abortedReason(ctx);
    if (aborted !== undefined) {
      result = Promise.reject(aborted);
    } else if (ctx?.deadline !== undefined && Date.now() >= ctx.deadline) {
      // The deadline has passed but its timer has not run yet (the event loop was busy).
      result = Promise.reject(new DeadlineExceededError());
    } else {
      // Only callers' stubs trace: a served call already has its server span.
      const span =
        ctx?.span === undefined || metrics === undefined
          ? undefined
          : startChildSpan(ctx.span, this.#spanNames[method]!, SpanKind.INTERNAL);
      try {
        result = span === undefined ? fn() : enterContext(withSpan(ctx!, span), fn);
      } catch (e) {
        result = Promise.reject(e);
      }
      if (ctx !== undefined) result = raceContext(result, ctx);
      if (span !== undefined) endSpan(result, span);
    }
    if (timed) {
      result.then(
        () => {
          stats.finish(start, false);
          metrics?.finish(start);
        },
        () => {
          stats.finish(start, true);
          metrics?.finish(start);
          metrics?.errors.inc();
        },
      );
    } else {
      result.then(undefined, this.#failed[method]);
    }
    return result;
  }
}
