/**
 * @weaver/core: the API a component author uses.
 *
 * An app is a set of components. A component is an interface (its API, async methods over
 * serializable values) and a class that extends `Implements<I>()`. One component implements
 * Main; `run(App)` creates it and everything it refers to, and calls its main(). Refs
 * (`ref<T>()`) and listeners (`listener()`) are fields the runtime fills in; the code generator
 * (`weaver generate`) reads them, so no name is ever written as a string.
 *
 * @module
 */

// Components.
export { Implements, Component, type Main, type ComponentClass, type ConfigOf, type InterfaceOf } from "./component.js";
export { ref, Ref } from "./ref.js";
export { listener, Listener } from "./listener.js";
export { run, SHUTDOWN_TIMEOUT_MS } from "./run.js";
export type { Logger } from "./logger.js";

// The implicit call context.
export { context, withDeadline, withMetadata, withSignal, type CallContext } from "@weaver/runtime";

// Metrics: declare once at module scope; deployers export them (Prometheus, `weaver multi metrics`).
export {
  Counter,
  Gauge,
  Histogram,
  CounterMap,
  GaugeMap,
  HistogramMap,
  GENERATED_BOUNDS,
  type Labels,
  type MetricOptions,
} from "@weaver/runtime";

// HTTP listeners: metrics and traces of their requests.
export { instrumentHandler } from "./http.js";

// Errors.
export {
  WeaverError,
  RemoteCallError,
  DeadlineExceededError,
  CancelledError,
  registerError,
  type SerializableErrorClass,
} from "@weaver/runtime";
export { CORE_ERRORS, type CoreErrorCode } from "./errors.js";
