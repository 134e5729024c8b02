/**
 * @weaver/dashboard: a local web server whose pages show the running deployments of every
 * deployer (found through the registry) and, for each, its components and replicas, the traffic
 * between components, per-method statistics, logs, traces and metrics, kept live over a
 * WebSocket. Nothing is loaded from the network. `weaver <deployer> dashboard`, a command of the
 * deployer API (@weaver/runtime/tool), loads this package when it runs.
 *
 * @module
 */
import type { DashboardModule } from "@weaver/runtime/tool";
import { startDashboard } from "./dashboard-server.js";
import { openBrowser } from "./open-browser.js";

export { startDashboard, openBrowser };
export { browserCommand } from "./open-browser.js";
export { DashboardData, pickDeployment, type DashboardListing } from "./dashboard-data.js";
export { REFRESH_MS, LIVE_PREFIX } from "./live.js";
export { deploymentCommands } from "./views/deployment-view.js";
export { escapeHtml } from "./html.js";

// What `weaver <deployer> dashboard` expects of this package; a mismatch fails to compile here.
({ startDashboard, openBrowser }) satisfies DashboardModule;
