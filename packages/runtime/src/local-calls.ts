/** What generated local stubs call: statistics and deadline enforcement around a direct call. */
import { activeContext, raceSignal } from "./call-context.js";
import { MethodStats } from "./method-stats.js";
import type { MethodManifest } from "./manifest.js";

/**
 * The local call path of one component. A local stub calls `call(i, fn)` for method i; the call
 * is counted and timed, and if the caller's context has a deadline or can be cancelled, the
 * returned promise rejects as soon as it aborts.
 */
export class LocalCalls {
  /** Statistics per method, index-aligned with the manifest's methods. */
  readonly stats: readonly MethodStats[];

  constructor(component: string, methods: readonly MethodManifest[]) {
    this.stats = methods.map((m) => new MethodStats(component, m.name));
  }

  /** Calls method `method` through `fn`, recording it. */
  call<T>(method: number, fn: () => Promise<T>): Promise<T> {
    const stats = this.stats[method] as MethodStats;
    stats.calls++;
    const start = performance.now();
    const ctx = activeContext();
    let result: Promise<T>;
    if (ctx !== undefined && ctx.signal.aborted) {
      result = Promise.reject(ctx.signal.reason as Error);
    } else {
      try {
        result = fn();
      } catch (e) {
        result = Promise.reject(e);
      }
      if (ctx !== undefined) result = raceSignal(result, ctx.signal);
    }
    return result.then(
      (value) => {
        stats.finish(start, false);
        return value;
      },
      (err: unknown) => {
        stats.finish(start, true);
        throw err;
      },
    );
  }
}
