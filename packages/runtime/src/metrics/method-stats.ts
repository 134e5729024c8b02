/**
 * Per-method call statistics, recorded by every stub. Calls and errors are counted exactly.
 * Latency is timed on a sample of calls, because reading the clock costs more than a whole local
 * call to a small method: the first TIME_ALL_FIRST calls of a method, then one call in TIME_EVERY.
 */

/** Every call of a method up to this count is timed. */
export const TIME_ALL_FIRST = 64;
/** After that, one call in this many is timed (a power of two). */
export const TIME_EVERY = 16;

/** Counts and latency of the calls to one method, as seen by one process. */
export class MethodStats {
  /** Calls started. */
  calls = 0;
  /** Calls that ended with an error (application or transport). */
  errors = 0;
  /** Calls whose latency was measured. */
  timed = 0;
  /** Sum of the measured latencies, in milliseconds. */
  latencyMsTotal = 0;
  /** Largest measured latency, in milliseconds. */
  latencyMsMax = 0;

  /** Counts a failed call; bound once, so recording an error allocates nothing. */
  readonly failed = (): void => {
    this.errors++;
  };

  constructor(
    /** Full name of the component. */
    readonly component: string,
    /** Method name. */
    readonly method: string,
  ) {}

  /** Counts a call and tells whether to time it. */
  begin(): boolean {
    const n = ++this.calls;
    return n <= TIME_ALL_FIRST || (n & (TIME_EVERY - 1)) === 0;
  }

  /** Records a timed call that started at `start` (a performance.now() reading). */
  finish(start: number, failed: boolean): void {
    const ms = performance.now() - start;
    this.timed++;
    this.latencyMsTotal += ms;
    if (ms > this.latencyMsMax) this.latencyMsMax = ms;
    if (failed) this.errors++;
  }

  /** Mean latency of the timed calls in milliseconds, or 0 before any. */
  get latencyMsMean(): number {
    return this.timed === 0 ? 0 : this.latencyMsTotal / this.timed;
  }
}
