/** Per-method call statistics, recorded by every stub. */

/** Counts and latency of the calls to one method, as seen by one process. */
export class MethodStats {
  /** Calls started. */
  calls = 0;
  /** Calls that ended with an error (application or transport). */
  errors = 0;
  /** Sum of the latencies of finished calls, in milliseconds. */
  latencyMsTotal = 0;
  /** Largest latency of a finished call, in milliseconds. */
  latencyMsMax = 0;

  constructor(
    /** Full name of the component. */
    readonly component: string,
    /** Method name. */
    readonly method: string,
  ) {}

  /** Records a finished call that started at `start` (a performance.now() reading). */
  finish(start: number, failed: boolean): void {
    const ms = performance.now() - start;
    this.latencyMsTotal += ms;
    if (ms > this.latencyMsMax) this.latencyMsMax = ms;
    if (failed) this.errors++;
  }
}
