/**
 * @weaver/runtime/tool: the commands every deployer mounts under its own name, as Service
 * Weaver's runtime/tool provides them. `toolCommands({ deployer: "multi", kind: "multi-process" })`
 * gives `weaver multi status | logs | metrics | profile | purge | dashboard`; a deployer adds its
 * own (deploy) with newCommand and groups them with newGroup. Every command reads deployments
 * through the registry and status servers of the deployer API, so the same code serves every
 * deployer.
 *
 * The errors a command throws end the `weaver` process with a status: UsageError (2) for a
 * mistake in how it was invoked, ExitStatus for a command that has said everything already, any
 * WeaverError (1) with its message.
 *
 * @module
 */
import type { Command } from "commander";
import { dashboardCommand } from "./dashboard.js";
import { logsCommand } from "./logs.js";
import { metricsCommand } from "./metrics.js";
import { profileCommand } from "./profile.js";
import { purgeCommand } from "./purge.js";
import type { ToolSpec } from "./spec.js";
import { statusCommand } from "./status.js";

export { newCommand, newGroup, commandLine, formatExamples, type CommandSpec, type Example } from "./command.js";
export { UsageError, ExitStatus, printError, exitStatusOf, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";
export { startSpinner } from "./spinner.js";
export { statusCommand, logsCommand, metricsCommand, profileCommand, purgeCommand, dashboardCommand };
export type { ToolSpec } from "./spec.js";
export type { DashboardModule, DashboardOptions, Dashboard } from "./dashboard.js";
export { formatStatusTables } from "./status-tables.js";
export { findPlugin, pluginDeployers, pluginExecutable } from "./plugins.js";
export { metricTables, formatMetricsTables, type MetricTable } from "./metrics-tables.js";

/** The six commands every deployer mounts (status, logs, metrics, profile, purge, dashboard), built for `spec`. */
export function toolCommands(spec: ToolSpec): Command[] {
  return [dashboardCommand(spec), logsCommand(spec), metricsCommand(spec), profileCommand(spec), purgeCommand(spec), statusCommand(spec)];
}
