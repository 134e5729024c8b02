/**
 * The JSON form of a log entry for `weaver multi logs --format json`, with the fields and field
 * order of Service Weaver's: short and full forms of version, component and node side by side, so
 * that a script can match the ids it saw in pretty output, and time as RFC 3339 text.
 */
import type { LogEntry } from "./log-entry.js";

/** A log entry as `--format json` prints it. */
export interface LogEntryJson {
  readonly app: string;
  /** The deployment id's first 8 characters. */
  readonly version: string;
  readonly full_version: string;
  /** The short component name (entries carry no other). */
  readonly component: string;
  readonly full_component: string;
  /** The replica id's first 8 characters. */
  readonly node: string;
  readonly full_node: string;
  /** RFC 3339 in UTC with microseconds, e.g. 2026-10-03T18:51:02.042859Z. */
  readonly time: string;
  readonly level: string;
  readonly file: string;
  readonly line: number;
  readonly msg: string;
  readonly attrs: Readonly<Record<string, string>>;
}

/** Converts an entry to its `--format json` form. */
export function logEntryJson(e: LogEntry): LogEntryJson {
  return {
    app: e.app,
    version: e.version.slice(0, 8),
    full_version: e.version,
    component: e.component,
    full_component: e.component,
    node: e.node.slice(0, 8),
    full_node: e.node,
    time: rfc3339Micros(e.time),
    level: e.level,
    file: e.file,
    line: e.line,
    msg: e.msg,
    attrs: e.attrs,
  };
}

/** Formats microseconds since the epoch as RFC 3339 in UTC with six fraction digits. */
export function rfc3339Micros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, "0");
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}
