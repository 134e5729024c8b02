/** Log entries of the deployer itself (restarts, health) are marked with this attribute. */

/** The attribute that marks an entry written by the deployer rather than by the app. */
export const SYSTEM_ATTR = "weaver/system";
