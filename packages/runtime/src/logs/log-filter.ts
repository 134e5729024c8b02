/**
 * The filter of `weaver multi logs`: the user's query, and, unless asked otherwise, nothing the
 * deployer wrote about itself. As in Service Weaver, a query that names the system attribute
 * (`"weaver/system" in attrs`) shows system entries without --system.
 */
import { compileLogQuery, type LogFilter } from "./log-query.js";
import { SYSTEM_ATTR } from "./system-log.js";

/** Options of logFilter. */
export interface LogFilterOptions {
  /** Include the deployer's own entries (those carrying SYSTEM_ATTR). */
  readonly system?: boolean;
}

/**
 * Compiles a log query ("" matches everything) into a filter; throws WEAVER_ERR_LOG_QUERY with
 * the position of the mistake in `query` itself, never in anything added here.
 */
export function logFilter(query: string, options: LogFilterOptions = {}): LogFilter {
  const matches = compileLogQuery(query);
  if (options.system === true || query.includes(SYSTEM_ATTR)) return matches;
  return (e) => !Object.hasOwn(e.attrs, SYSTEM_ATTR) && matches(e);
}
