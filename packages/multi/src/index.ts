/**
 * @weaver/multi: the multi-process deployer. It uses only @weaver/runtime's public API, as any
 * third-party deployer would.
 *
 * @module
 */
export { SYSTEM_ATTR } from "./system-log.js";
export { multiDeploy, type DeployOptions } from "./deploy.js";
export { Deployment, type DeploymentOptions } from "./deployment.js";
export { DEPLOYER } from "./deployer-name.js";
export { computeGroups, hostsMain, DEFAULT_REPLICAS, type Group } from "./groups.js";
export { ListenerProxy, type Backend } from "./proxy.js";

// Reading running and past deployments: status, metrics, logs, purge.
export {
  listDeployments,
  type DeploymentListing,
  type ListOptions,
  type RunningDeployment,
  type StaleRegistration,
  type UnreachableDeployment,
} from "./deployment-list.js";
export { formatStatusTables, sortStatuses } from "./status-tables.js";
export { fetchMetrics, METRICS_FETCH_TIMEOUT_MS } from "./metrics-fetch.js";
export { formatMetricsTables, metricTables, type MetricTable } from "./metrics-tables.js";
export { logFilter, type LogFilterOptions } from "./log-filter.js";
export { logEntryJson, rfc3339Micros, type LogEntryJson } from "./log-json.js";
export { readLogs, listLogFiles, FOLLOW_POLL_MS, type ReadLogsOptions } from "./log-reader.js";
export { stopDeployer, STOP_GRACE_MS, type StopOptions, type StopOutcome } from "./stop-deployer.js";

// Profiles: picking a deployment by id prefix, asking its status server, the merged V8 formats.
export { findDeployment, type PrefixMatch } from "./deployment-prefix.js";
export { requestProfile, profileRoute, PROFILE_PATH, DEFAULT_PROFILE_MS, MAX_PROFILE_MS } from "./profile-http.js";
export { profileReplicas, replicaLabel, PROFILE_MARGIN_MS, type DeploymentProfile, type ProfiledReplica, type FailedReplica, type ProfileTarget } from "./profile.js";
export { mergeCpuProfiles, mergeHeapProfiles, type CpuProfile, type CpuProfileNode, type HeapProfile, type HeapProfileNode, type CallFrame, type ProfilePart } from "./profile-merge.js";
