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

// Reading running and past deployments: status, logs, purge.
export {
  listDeployments,
  type DeploymentListing,
  type ListOptions,
  type RunningDeployment,
  type StaleRegistration,
  type UnreachableDeployment,
} from "./deployment-list.js";
export { formatStatusTables, sortStatuses } from "./status-tables.js";
export { logFilter, type LogFilterOptions } from "./log-filter.js";
export { logEntryJson, rfc3339Micros, type LogEntryJson } from "./log-json.js";
export { readLogs, listLogFiles, FOLLOW_POLL_MS, type ReadLogsOptions } from "./log-reader.js";
export { stopDeployer, STOP_GRACE_MS, type StopOptions, type StopOutcome } from "./stop-deployer.js";
