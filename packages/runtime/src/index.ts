/**
 * @weaver/runtime: the deployer API. Everything a deployer needs, and nothing an app needs: the
 * config and its sections, the app's manifest, both ends of the versioned deployer ↔ replica
 * contract (the envelope and control server on the deployer's side, the weavelet inside each
 * replica), the registry of running deployments and the status server every deployment serves,
 * and the output formats the tools share. Apps import @weaver/core instead.
 *
 * Three more entries complete the package: `@weaver/runtime/tool` (the commands every deployer
 * mounts: status, logs, metrics, profile, purge, dashboard), `@weaver/runtime/codegen` (what the
 * code `weaver generate` writes calls) and `@weaver/runtime/core` (what @weaver/core is built
 * from; no other package may import it). docs/architecture.md shows how a deployer is written
 * with them; @weaver/multi and the minimal deployer under test/ use nothing else.
 *
 * @module
 */

// Versions.
export { WEAVER_VERSION, CODEGEN_VERSION } from "./version.js";
export { DEPLOYER_PROTOCOL_VERSION } from "./replica/deployer-protocol.js";

// Errors: every error the framework raises is a WeaverError with a code of a catalog.
export { WeaverError, runtimeError } from "./errors.js";

// Component names.
export { MAIN_COMPONENT, shortName, compareComponents } from "./names.js";

// weaver.toml.
export { loadConfig, parseDuration, type AppConfig, type ConfigOptions } from "./config/config.js";
export {
  defineSection,
  sectionOf,
  listenerAddress,
  SINGLE_SECTION,
  type ConfigSection,
  type ListenerConfig,
} from "./config/config-section.js";
export { configSections } from "./config/config-sections.js";
export { colocationGroups } from "./config/colocation.js";
export { REDACTED, redactConfig, redactArgs, isSecretKey } from "./config/redact.js";
export { isSecretRef } from "./config/secrets.js";
export { parseAddress, formatAddress, type Address } from "./config/address.js";

// The app, as `weaver generate` describes it.
export { readManifest, type Manifest, type ComponentManifest, type MethodManifest } from "./generated/manifest.js";
export { callGraphOf, calleesOf, type CallGraph, type CallGraphNode } from "./generated/call-graph.js";

// The deployer's end of the replica contract: starting app processes, the control server they
// report to, and the calls a deployer makes to each replica.
export { loadDeployable, appCommand, appEnvironment, shownPath, type Deployable } from "./replica/app-process.js";
export { Envelope, type EnvelopeOptions, type Exit } from "./replica/envelope.js";
export { ControlServer, ReplicaClient, type ControlHandlers, type ControlIdentity, type ReplicaProcess } from "./replica/control-server.js";
export { Routing } from "./replica/routing.js";
export {
  REPLICA_ENV,
  type ReplicaArgs,
  type RouteEntry,
  type MtlsArgs,
  type AssignmentArgs,
  type Assignments,
} from "./replica/replica-args.js";
export type { ReadyRequest, WatchRoutesRequest, RoutesReply, ProfileRequest, SignRequest, SignReply } from "./replica/deployer-protocol.js";
export { privateSocketDir } from "@weaver/rpc";

// Mutual TLS between replicas: the deployment's CA, the certificates it signs for each group, and
// whether a transport uses it by default.
export { DeploymentTrust, DEFAULT_CERTIFICATE_LIFETIME_MS, type DeploymentTrustOptions } from "./trust/deployment-trust.js";
export { CertificateAuthority, generateKeyPair, type IssuedCertificate, type IssueRequest } from "./trust/certificate-authority.js";
export { identityUri, identityOf, DEPLOYER_GROUP, type Identity } from "./trust/identity.js";
export { mtlsByDefault } from "./trust/transport-security.js";

// The replica's end: the weavelet, which run() starts in every replica a deployer launches.
export {
  startWeavelet,
  type Weavelet,
  type WeaveletOptions,
  type WeaveletLogger,
  type HostedComponents,
  type Placement,
  type ListenerPlacement,
} from "./replica/weavelet.js";

// Running deployments: the registry, their status servers, and reading them.
export { dataDir, logsDir, logFile, registerDeployment, unregisterDeployment, type Registration } from "./deployments/deployment-files.js";
export {
  listDeployments,
  type DeploymentListing,
  type RunningDeployment,
  type UnreachableDeployment,
} from "./deployments/deployment-list.js";
export { findDeployment } from "./deployments/deployment-prefix.js";
export {
  listStoredDeployments,
  readStoredLogs,
  readStoredTraces,
  type StoredDeployment,
  type StoredTraces,
} from "./deployments/stored-deployments.js";
export { StatusServer, STATUS_TOKEN_ENV, type StatusServerOptions } from "./deployments/status-server.js";
export { StatusClient, type StatusClientOptions, type LogsOptions } from "./deployments/status-client.js";
export {
  requestGuard,
  checkRequestHeader,
  isLoopback,
  WEAVER_REQUEST_HEADER,
  type RequestGuard,
  type RequestGuardOptions,
  type Refusal,
} from "./deployments/request-guard.js";
export { redactStatus } from "./deployments/deployment-status.js";
export { localReplica, type ReplicaEndpoint } from "./deployments/replica-endpoint.js";
export type {
  DeploymentStatus,
  GroupStatus,
  ReplicaStatus,
  ComponentStatus,
  ListenerStatus,
  RoutingStatus,
  RolloutStatus,
  TrafficStatus,
  RoutingMemberStatus,
} from "./deployments/deployment-status.js";
export { routingStatus, type MemberState } from "./deployments/routing-status.js";
export type { DeploymentStats, WindowStats } from "./metrics/deployment-stats.js";
export { prometheusText, type ReplicaMetrics } from "./metrics/prometheus.js";
export type { SpanRecord } from "./tracing/span.js";
export type { TraceSummary } from "./tracing/trace-store.js";
export type { DeploymentProfile } from "./profile/profile.js";

// Logs: entries, where a deployment's go, the recent ones, and the query language.
export { PrettyPrinter, type LogEntry } from "./logs/log-entry.js";
export { LogSink, type LogSinkOptions } from "./logs/log-sink.js";
export { RecentLogs, type LogsReply } from "./logs/recent-logs.js";
export { compileLogQuery } from "./logs/log-query.js";
export { compileLinearRegex, RegexSyntaxError, MAX_REGEX_PROGRAM, type LinearRegex } from "./logs/linear-regex.js";

// Output shared by deployers.
export { banner } from "./output/banner.js";
export { colorEnabled } from "./output/terminal.js";
export { renderTable, formatAge } from "./output/table.js";
