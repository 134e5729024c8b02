/**
 * @weaver/multi: the multi-process deployer (`weaver multi`). It uses only the deployer API
 * (@weaver/runtime and @weaver/runtime/tool), as any third-party deployer would.
 *
 * @module
 */
export { multiCommand } from "./commands.js";
export { multiDeploy, type DeployOptions } from "./deploy.js";
export { Deployment, type DeploymentOptions } from "./deployment.js";
export { DEPLOYER } from "./deployer-name.js";
export { MULTI_SECTION, type MultiConfig } from "./groups.js";
