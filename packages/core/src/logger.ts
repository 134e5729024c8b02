/**
 * Component loggers. Each component gets a pino child logger carrying app, deployment (version),
 * replica (node) and component. In a single process, entries go to the deployment's LogSink:
 * printed in the pretty form on stderr, beside the app's own output on stdout, stored in the
 * deployment's log file and kept among the recent ones for the dashboard. WEAVER_LOG_LEVEL sets
 * the level (default info).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { LogSink } from "@weaver/runtime";
import { entryFromPino, nowMicros } from "@weaver/runtime/core";

/** A component's logger (`this.logger`): a pino logger whose entries carry app, deployment, component and replica. */
export type Logger = PinoLogger;

/** Identity fields every log entry of a process carries. */
export interface LogIdentity {
  readonly app: string;
  readonly deployment: string;
  readonly replica: string;
}

/** Creates the process's root logger, writing JSON lines to `destination`. */
export function createRootLogger(id: LogIdentity, destination: DestinationStream): Logger {
  return pino(
    {
      level: process.env["WEAVER_LOG_LEVEL"] ?? "info",
      base: { app: id.app, version: id.deployment, node: id.replica },
      messageKey: "msg",
      timestamp: () => `,"time":${nowMicros()}`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A pino destination that hands every entry to `sink` (by default: printed on stderr, nothing stored). */
export function sinkDestination(sink: LogSink = new LogSink({ print: process.stderr })): DestinationStream {
  return { write: (line: string) => sink.write(entryFromPino(line)) };
}
