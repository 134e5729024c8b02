/**
 * @weaver/runtime: what deployers and generated code build on. Apps import @weaver/core instead;
 * a third-party deployer needs nothing but this package.
 *
 * @module
 */

// Versions.
export { WEAVER_VERSION, CODEGEN_VERSION, type CodegenVersionCheck } from "./version.js";

// Errors.
export { RUNTIME_ERRORS, WeaverError, runtimeError, type ErrorDoc, type RuntimeErrorCode } from "./errors.js";
export { RemoteCallError, DeadlineExceededError, CancelledError } from "./calls/call-errors.js";

// The implicit call context.
export {
  context,
  activeContext,
  withDeadline,
  withMetadata,
  withSignal,
  runWithContext,
  enterContext,
  raceSignal,
  raceContext,
  abortedReason,
  ServerCallContext,
  type AbortSource,
  type CallContext,
  type ContextOptions,
} from "./calls/call-context.js";

// Component names.
export { MAIN_COMPONENT, shortName, compareComponents } from "./names.js";

// weaver.toml.
export { validateConfig, componentConfig } from "./config/config-validate.js";
export {
  loadConfig,
  DEFAULT_TRACES_PER_SECOND,
  parseConfig,
  emptyConfig,
  parseDuration,
  type AppConfig,
  type DeployerConfig,
  type ListenerConfig,
} from "./config/config.js";
export { configSections, REDACTED } from "./config/config-sections.js";
export { checkConfigValue, checkTable, describeSchema, type ConfigSchema, type SecretMode } from "./config/config-schema.js";
export { isSecretRef, resolveSecret } from "./config/secrets.js";
export { parseAddress, formatAddress, type Address } from "./config/address.js";

// The manifest and the registry of generated code.
export {
  readManifest,
  extractManifest,
  checkManifestVersion,
  findComponent,
  MANIFEST_CONSTANT,
  type Manifest,
  type ComponentManifest,
  type MethodManifest,
} from "./generated/manifest.js";
export {
  registerApp,
  getComponent,
  findComponentByImpl,
  registeredApps,
  type AppRegistration,
  type ComponentRegistration,
  type RegisteredComponent,
  type RemoteCalls,
  type ServerMethod,
} from "./generated/registry.js";

// Calls: codec, local call path, statistics.
export {
  Codec,
  registerError,
  encodeError,
  decodeError,
  toEncodedError,
  fromEncodedError,
  type EncodedError,
  type SerializableErrorClass,
} from "./calls/codec.js";
export { LocalCalls, type LocalCallsOptions } from "./calls/local-calls.js";
export { remoteCalls, methodId, type RemoteCallsOptions } from "./calls/remote-calls.js";
export { componentHandler } from "./calls/component-server.js";
export { readReplicaArgs, REPLICA_ENV, type ReplicaArgs, type RouteEntry } from "./replica/replica-args.js";
export {
  DEPLOYER_PROTOCOL_VERSION,
  LOG_FD,
  HEALTH_METHOD,
  METRICS_METHOD,
  SPANS_METHOD,
  PROFILE_METHOD,
  RESERVED_METHODS,
  CONTROL_READY,
  CONTROL_WATCH_ROUTES,
  type HealthReply,
  type MetricsReply,
  type ProfileRequest,
  type ProfileReply,
  type ReadyRequest,
  type WatchRoutesRequest,
  type RoutesReply,
} from "./replica/deployer-protocol.js";
export { Envelope, type EnvelopeOptions, type Exit } from "./replica/envelope.js";
export { appBinary, appCommand, appEnvironment, shownPath } from "./replica/app-process.js";
export { ControlServer, ReplicaClient, type ControlHandlers, type ControlIdentity } from "./replica/control-server.js";
export { privateSocketDir } from "@weaver/rpc";
export { startWeavelet, type Weavelet, type WeaveletOptions, type WeaveletLogger, type HostedComponents, type Placement, type ListenerPlacement } from "./replica/weavelet.js";
export { SocketLoopback } from "./calls/loopback.js";
export { MethodStats } from "./metrics/method-stats.js";

// Metrics: the app API (re-exported by @weaver/core), snapshots, Prometheus text.
export {
  Counter,
  Gauge,
  Histogram,
  CounterMap,
  GaugeMap,
  HistogramMap,
  snapshotMetrics,
  GENERATED_BOUNDS,
  OVERFLOW_LABEL,
  DEFAULT_MAX_SERIES,
  type Labels,
  type MetricOptions,
  type MetricType,
  type MetricSnapshot,
  type SeriesSnapshot,
} from "./metrics/metrics.js";
export { METHOD_COUNT, METHOD_ERRORS, METHOD_LATENCY, METHOD_BYTES_REQUEST, METHOD_BYTES_REPLY, type MethodLabels } from "./metrics/method-metrics.js";
export { prometheusText, PROMETHEUS_PATH, type ReplicaMetrics } from "./metrics/prometheus.js";
export { StatsProcessor, FORGET_REPLICA_MS } from "./metrics/stats-processor.js";
export type { DeploymentStats, MethodStatsSummary, WindowStats, CallEdge } from "./metrics/deployment-stats.js";
export { MetricsCollector, STATS_PULL_EVERY_MS, type MetricsCollectorOptions } from "./metrics/metrics-collector.js";

// The status server every deployer runs (status, metrics, statistics).
export {
  StatusServer,
  statusRoutes,
  jsonReply,
  PROMETHEUS_CONTENT_TYPE,
  METRICS_JSON_PATH,
  STATS_PATH,
  type StatusRoute,
  type StatusRequest,
  type StatusReply,
  type StatusSource,
} from "./deployments/status-server.js";

// Tracing: spans of component calls and requests, and the OpenTelemetry API glue.
export { WeaverSpan, parseTraceparent, formatTraceparent, setSpanResource, type SpanRecord, type SpanResource } from "./tracing/span.js";
export { installTracing, setTraceRate, startChildSpan, startEntrySpan, takeSpans, SPAN_BUFFER_LIMIT } from "./tracing/tracer.js";
export { activeSpan, enterSpan } from "./calls/call-context.js";
export { TraceStore, DEFAULT_MAX_TRACES, MAX_SPANS_PER_TRACE, type TraceSummary, type TraceQuery } from "./tracing/trace-store.js";
export { OtlpExporter, otlpRequest } from "./tracing/otlp-exporter.js";
export { Traces, SPAN_PULL_EVERY_MS } from "./tracing/traces.js";

// Output formats shared by deployers.
export { banner } from "./output/banner.js";
export { PrettyPrinter, nowMicros, entryFromPino, type LogEntry } from "./logs/log-entry.js";
export { compileLogQuery, type LogFilter } from "./logs/log-query.js";
export { RecentLogs, RECENT_LOGS_CAPACITY, MAX_LOGS_WAIT_MS, LOGS_PATH, type LogsReply } from "./logs/recent-logs.js";
export { colorEnabled, colorFor, sgr } from "./output/terminal.js";
export { renderTable, formatAge } from "./output/table.js";

// Running deployments: their files and their status.
export {
  dataDir,
  registryDir,
  logsDir,
  logFile,
  traceFile,
  writeRegistration,
  removeRegistration,
  readRegistrations,
  isAlive,
  type Registration,
} from "./deployments/deployment-files.js";
export type { DeploymentStatus, GroupStatus, ReplicaStatus, ComponentStatus, ListenerStatus } from "./deployments/deployment-status.js";
