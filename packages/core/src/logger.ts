/**
 * Component loggers. Each component gets a pino child logger carrying app, deployment (version),
 * replica (node) and component. In a single process, entries are printed in the pretty form on
 * stderr, beside the app's own output on stdout, and the recent ones kept for the dashboard. WEAVER_LOG_LEVEL sets the level (default info).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { colorEnabled, entryFromPino, nowMicros, PrettyPrinter, type RecentLogs } from "@weaver/runtime";

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

/**
 * A pino destination that prints entries in the pretty form on a stream (stderr by default) and,
 * when given `recent`, keeps them there too (a single process's status server serves them).
 */
export function prettyDestination(stream: NodeJS.WriteStream = process.stderr, recent?: RecentLogs): DestinationStream {
  const printer = new PrettyPrinter(colorEnabled(stream));
  return {
    write(line: string): void {
      const entry = entryFromPino(line);
      recent?.add(entry);
      stream.write(printer.format(entry) + "\n");
    },
  };
}

