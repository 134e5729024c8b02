/**
 * The metrics generated stubs record for every component method call, on the caller's side:
 * local stubs with remote=false, client stubs with remote=true (servers record none, so that a
 * call counts once). Latency is in microseconds; request and reply sizes (remote calls only) are
 * the encoded payloads' bytes. Local calls time a sample of calls (see MethodStats), so for them
 * the latency histogram's count is that of the timed calls, not of all calls.
 */
import { CounterMap, GENERATED_BOUNDS, HistogramMap, type Counter, type Histogram } from "./metrics.js";

/** The labels of the method metrics. */
export interface MethodLabels {
  /** Full name of the calling component ("" for calls from outside any component, such as tests). */
  readonly caller: string;
  /** Full name of the called component. */
  readonly component: string;
  readonly method: string;
  /** Whether the call crossed processes. */
  readonly remote: boolean;
}

/** Calls of component methods. */
export const METHOD_COUNT = new CounterMap<MethodLabels>("weaver_method_count", "Calls of a component method");
/** Calls that failed (application or transport errors). */
export const METHOD_ERRORS = new CounterMap<MethodLabels>("weaver_method_error_count", "Calls of a component method that failed");
/** Call latency in microseconds. */
export const METHOD_LATENCY = new HistogramMap<MethodLabels>(
  "weaver_method_latency_micros",
  "Latency of component method calls in microseconds (local calls: a sample of calls)",
  GENERATED_BOUNDS,
);
/** Encoded request sizes of remote calls. */
export const METHOD_BYTES_REQUEST = new HistogramMap<MethodLabels>(
  "weaver_method_bytes_request",
  "Encoded arguments of remote component method calls, in bytes",
  GENERATED_BOUNDS,
);
/** Encoded reply sizes of remote calls. */
export const METHOD_BYTES_REPLY = new HistogramMap<MethodLabels>(
  "weaver_method_bytes_reply",
  "Encoded results of remote component method calls, in bytes",
  GENERATED_BOUNDS,
);

/** The metric handles of one method as called by one caller. */
export class MethodMetrics {
  readonly calls: Counter;
  readonly errors: Counter;
  readonly latency: Histogram;
  /** Counts a failed call; bound once, so recording an error allocates nothing. */
  readonly failed = (): void => this.errors.inc();

  constructor(readonly labels: MethodLabels) {
    this.calls = METHOD_COUNT.get(labels);
    this.errors = METHOD_ERRORS.get(labels);
    this.latency = METHOD_LATENCY.get(labels);
  }

  /** Records the latency of a call that started at `start` (a performance.now() reading). */
  finish(start: number): void {
    this.latency.put(Math.round((performance.now() - start) * 1000));
  }
}

/** The metric handles of one method as called remotely by one caller, with payload sizes. */
export class RemoteMethodMetrics extends MethodMetrics {
  readonly requestBytes: Histogram;
  readonly replyBytes: Histogram;

  constructor(labels: MethodLabels) {
    super(labels);
    this.requestBytes = METHOD_BYTES_REQUEST.get(labels);
    this.replyBytes = METHOD_BYTES_REPLY.get(labels);
  }
}
