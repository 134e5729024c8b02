/**
 * @weaver/core: everything an app may use. This file is the spec of the app API; each name it
 * exports is documented where it is declared.
 *
 * # Components
 *
 * An app is a set of components. A component is a TypeScript interface, its API, whose methods
 * are async and take and return serializable values (plain data, Date, Uint8Array, Map, Set,
 * bigint), and one class that implements it by extending `Implements<I>()`, or
 * `Implements<I, Config>()` for a component with a config type. The runtime creates components;
 * app code never calls `new` on them. Each has `this.logger` (a pino logger) and `this.config`
 * (its section of weaver.toml, checked against Config), and may have async `init()` and
 * `shutdown()` hooks: init() runs after the init() of every component it refers to, shutdown()
 * in the reverse order.
 *
 * # Main, refs and listeners
 *
 * One class implements Main: `class App extends Implements<Main>()` with an async `main()`. A
 * component refers to another with a field `other = ref<Other>()`, and owns a network listener
 * with `lis = listener()`; no component is ever named by a string. `weaver generate` reads these
 * and writes `weaver_gen.ts` beside the app, which the main file imports before calling run():
 *
 *     import "./weaver_gen.js";
 *     export class App extends Implements<Main>() {
 *       reverser = ref<Reverser>();
 *       lis = listener();
 *       async main() { http.createServer(handler).listen(this.lis); }
 *     }
 *     await run(App);
 *
 * The same app runs unchanged in one process (`node dist/main.js`, `weaver single deploy`) or as
 * replicated processes (`weaver multi deploy`): a ref's handle calls a local instance or a remote
 * replica, and callers cannot tell.
 *
 * # Calls
 *
 * Deadlines, cancellation and metadata travel with every call implicitly (`withDeadline`,
 * `withSignal`, `withMetadata`, read with `context()`). An error a method throws reaches its caller
 * with its class when registered with `registerError`; a failure of the call path itself is a
 * RemoteCallError. Methods are retried on such failures unless their interface method is tagged
 * `@weaver notRetriable` in its doc comment.
 *
 * # Observability
 *
 * Metrics are declared once at module scope (Counter, Gauge, Histogram and their labelled forms);
 * every component method call is counted and timed; `instrumentHandler` gives an HTTP listener's
 * requests metrics and traces. Tracing uses the OpenTelemetry API (`@opentelemetry/api`).
 *
 * Tests use `@weaver/core/testing`; the code `weaver generate` writes imports
 * `@weaver/core/codegen`. Nothing else of Weaver is needed at run time.
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
export { context, withDeadline, withMetadata, withSignal, type CallContext } from "@weaver/runtime/core";

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
} from "@weaver/runtime/core";

// HTTP listeners: metrics and traces of their requests.
export { instrumentHandler } from "./http.js";

// Errors.
export { WeaverError } from "@weaver/runtime";
export { RemoteCallError, DeadlineExceededError, CancelledError, registerError, type SerializableErrorClass } from "@weaver/runtime/core";
export { CORE_ERRORS, type CoreErrorCode } from "./errors.js";
