/**
 * @weaver/dashboard: a small web server that shows the running deployments of a deployer (found
 * through the registry) and, for each, its components, listeners and per-method statistics.
 *
 * @module
 */
export { startDashboard, type Dashboard, type DashboardOptions } from "./dashboard-server.js";
export { gatherDeployments, pickDeployment, STATS_TIMEOUT_MS, type DashboardDeployment, type DashboardListing } from "./dashboard-data.js";
export { renderIndexPage } from "./index-page.js";
export { renderDeploymentPage, renderNotFoundPage, deploymentCommands } from "./deployment-page.js";
export { escapeHtml } from "./html.js";
