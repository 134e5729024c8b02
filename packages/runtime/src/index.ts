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
export { RemoteCallError, DeadlineExceededError, CancelledError } from "./call-errors.js";

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
} from "./call-context.js";

// Component names.
export { MAIN_COMPONENT, shortName, compareComponents } from "./names.js";

// weaver.toml.
export { validateConfig, componentConfig } from "./config-validate.js";
export {
  loadConfig,
  DEFAULT_TRACES_PER_SECOND,
  parseConfig,
  emptyConfig,
  parseDuration,
  type AppConfig,
  type DeployerConfig,
  type ListenerConfig,
} from "./config.js";
export { configSections, REDACTED } from "./config-sections.js";
export { checkConfigValue, checkTable, describeSchema, type ConfigSchema, type SecretMode } from "./config-schema.js";
export { isSecretRef, resolveSecret } from "./secrets.js";
export { parseAddress, formatAddress, type Address } from "./address.js";

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
} from "./manifest.js";
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
} from "./registry.js";

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
} from "./codec.js";
export { LocalCalls, type LocalCallsOptions } from "./local-calls.js";
export { remoteCalls, methodId, type RemoteCallsOptions } from "./remote-calls.js";
export { componentHandler } from "./component-server.js";
export { readReplicaArgs, REPLICA_ENV, type ReplicaArgs, type RouteEntry } from "./replica-args.js";
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
} from "./deployer-protocol.js";
export { Envelope, type EnvelopeOptions, type Exit } from "./envelope.js";
export { appBinary, appCommand, appEnvironment, shownPath } from "./app-process.js";
export { ControlServer, ReplicaClient, type ControlHandlers, type ControlIdentity } from "./control-server.js";
export { privateSocketDir } from "@weaver/rpc";
export { MethodStats } from "./method-stats.js";

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
} from "./metrics.js";
export { METHOD_COUNT, METHOD_ERRORS, METHOD_LATENCY, METHOD_BYTES_REQUEST, METHOD_BYTES_REPLY, type MethodLabels } from "./method-metrics.js";
export { prometheusText, PROMETHEUS_PATH, type ReplicaMetrics } from "./prometheus.js";
export { StatsProcessor, FORGET_REPLICA_MS } from "./stats-processor.js";
export type { DeploymentStats, MethodStatsSummary, WindowStats, CallEdge } from "./deployment-stats.js";
export { MetricsCollector, STATS_PULL_EVERY_MS, type MetricsCollectorOptions } from "./metrics-collector.js";

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
} from "./status-server.js";

// Tracing: spans of component calls and requests, and the OpenTelemetry API glue.
export { WeaverSpan, parseTraceparent, formatTraceparent, setSpanResource, type SpanRecord, type SpanResource } from "./span.js";
export { installTracing, setTraceRate, startChildSpan, startEntrySpan, takeSpans, SPAN_BUFFER_LIMIT } from "./tracer.js";
export { activeSpan, enterSpan } from "./call-context.js";
export { TraceStore, DEFAULT_MAX_TRACES, MAX_SPANS_PER_TRACE, type TraceSummary, type TraceQuery } from "./trace-store.js";
export { OtlpExporter, otlpRequest } from "./otlp-exporter.js";
export { Traces, SPAN_PULL_EVERY_MS } from "./traces.js";

// Output formats shared by deployers.
export { banner } from "./banner.js";
export { PrettyPrinter, nowMicros, entryFromPino, type LogEntry } from "./log-entry.js";
export { compileLogQuery, type LogFilter } from "./log-query.js";
export { RecentLogs, RECENT_LOGS_CAPACITY, MAX_LOGS_WAIT_MS, LOGS_PATH, type LogsReply } from "./recent-logs.js";
export { colorEnabled, colorFor, sgr } from "./terminal.js";
export { renderTable, formatAge } from "./table.js";

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
} from "./deployment-files.js";
export type { DeploymentStatus, GroupStatus, ReplicaStatus, ComponentStatus, ListenerStatus } from "./deployment-status.js";
