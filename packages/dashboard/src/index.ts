/**
 * @weaver/dashboard: a local web server whose pages show the running deployments of a deployer
 * (found through the registry) and, for each, its components and replicas, the traffic between
 * components, per-method statistics, logs, traces and metrics, kept live over a WebSocket. Nothing
 * is loaded from the network.
 *
 * @module
 */
export { startDashboard, type Dashboard, type DashboardOptions } from "./dashboard-server.js";
export { DashboardData, pickDeployment, FETCH_TIMEOUT_MS, type DashboardListing } from "./dashboard-data.js";
export { openBrowser, browserCommand } from "./open-browser.js";
export { REFRESH_MS, LIVE_PREFIX } from "./live.js";
export { deploymentCommands } from "./views/deployment-view.js";
export { escapeHtml } from "./html.js";
