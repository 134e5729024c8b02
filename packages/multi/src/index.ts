/**
 * @weaver/multi: the multi-process deployer. It uses only @weaver/runtime's public API, as any
 * third-party deployer would.
 *
 * @module
 */
export { SYSTEM_ATTR } from "./system-log.js";
