/** What generated local stubs call: statistics and deadline enforcement around a direct call. */
import { abortedReason, activeContext, raceContext } from "./call-context.js";
import { DeadlineExceededError } from "./call-errors.js";
import { MethodStats } from "./method-stats.js";
import type { MethodManifest } from "./manifest.js";

/**
 * The local call path of one component. A local stub calls `call(i, fn)` for method i; the call
 * is counted (and sometimes timed, see MethodStats), and if the caller's context can abort, the
 * returned promise rejects as soon as it does; a call made once the context has aborted, or its
 * deadline has passed, rejects without calling the method. Without a context, the
 * implementation's own promise is returned: the stub then costs a counter and an error observer.
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
      try {
        result = fn();
      } catch (e) {
        result = Promise.reject(e);
      }
      if (ctx !== undefined) result = raceContext(result, ctx);
    }
    if (timed) {
      result.then(
        () => stats.finish(start, false),
        () => stats.finish(start, true),
      );
    } else {
      result.then(undefined, stats.failed);
    }
    return result;
  }
}
