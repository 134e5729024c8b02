/**
 * @weaver/runtime/core: the runtime inside an app's process, which @weaver/core is built from. It
 * holds what the app API re-exports (the call context, metrics, call errors) and what @weaver/core's
 * component host, run() and testing kit use (the registry of generated code, the local call path,
 * config of components, tracing, the rpc runner's loopback).
 *
 * It is not an API: only @weaver/core may import it (test/boundaries.test.ts fails otherwise), and
 * its names change with @weaver/core. Apps import @weaver/core, deployers @weaver/runtime.
 *
 * @module
 */

// The implicit call context (re-exported by @weaver/core).
export { context, withDeadline, withMetadata, withSignal, enterSpan, type CallContext } from "./calls/call-context.js";

// Errors apps see (re-exported by @weaver/core), and the catalog of the runtime's codes.
export { RUNTIME_ERRORS, type ErrorDoc } from "./errors.js";
export { RemoteCallError, DeadlineExceededError, CancelledError } from "./calls/call-errors.js";
export { Codec, registerError, type SerializableErrorClass } from "./calls/codec.js";

// Metrics (re-exported by @weaver/core).
export {
  Counter,
  Gauge,
  Histogram,
  CounterMap,
  GaugeMap,
  HistogramMap,
  GENERATED_BOUNDS,
  DEFAULT_MAX_SERIES,
  snapshotMetrics,
  type MetricSnapshot,
  type Labels,
  type MetricOptions,
} from "./metrics/metrics.js";
export { MethodStats } from "./metrics/method-stats.js";

// Tracing.
export { installTracing, setTraceRate, startEntrySpan, takeSpans } from "./tracing/tracer.js";
export { setSpanResource } from "./tracing/span.js";

// Generated code and the calls between components.
export { getComponent, findComponentByImpl, registeredApps, generatedModule, type RegisteredComponent } from "./generated/registry.js";
export { extractManifest } from "./generated/manifest.js";
export { LocalCalls } from "./calls/local-calls.js";
export { remoteCalls, methodId } from "./calls/remote-calls.js";
export { componentHandler, type ComponentHandlerOptions, type ServedComponent } from "./calls/component-server.js";
export { mismatchMessage } from "./calls/value-checks.js";
export { SocketLoopback, type RepeatedMethod } from "./calls/loopback.js";

// Config: of components, of a process without a config file, of tests.
export { componentConfig, validateConfig } from "./config/config-validate.js";
export { emptyConfig, parseConfig, DEFAULT_TRACES_PER_SECOND } from "./config/config.js";

// Log lines of pino loggers; a replica's arguments.
export { entryFromPino, nowMicros } from "./logs/log-entry.js";
export { readReplicaArgs } from "./replica/replica-args.js";
