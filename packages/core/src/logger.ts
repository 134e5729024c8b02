/**
 * Component loggers. Each component gets a pino child logger carrying app, deployment (version),
 * replica (node) and component. In a single process, entries are printed in the pretty form on
 * stderr, beside the app's own output on stdout. WEAVER_LOG_LEVEL sets the level (default info).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { colorEnabled, nowMicros, PrettyPrinter, type LogEntry } from "@weaver/runtime";

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

const IDENTITY_KEYS = new Set(["level", "time", "app", "version", "node", "component", "msg", "file", "line"]);

/** Turns one pino JSON line into a log entry. */
export function entryFromPino(line: string): LogEntry {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (typeof v === "string") attrs[k] = v;
    else if (v !== null && typeof v === "object" && typeof (v as { message?: unknown }).message === "string") {
      attrs[k] = (v as { message: string }).message;
    } else attrs[k] = JSON.stringify(v);
  }
  return {
    app: String(raw["app"] ?? ""),
    version: String(raw["version"] ?? ""),
    component: String(raw["component"] ?? "main"),
    node: String(raw["node"] ?? ""),
    time: typeof raw["time"] === "number" ? raw["time"] : nowMicros(),
    level: String(raw["level"] ?? "info"),
    file: typeof raw["file"] === "string" ? raw["file"] : "",
    line: typeof raw["line"] === "number" ? raw["line"] : -1,
    msg: String(raw["msg"] ?? ""),
    attrs,
  };
}

/** A pino destination that prints entries in the pretty form on a stream (stderr by default). */
export function prettyDestination(stream: NodeJS.WriteStream = process.stderr): DestinationStream {
  const printer = new PrettyPrinter(colorEnabled(stream));
  return {
    write(line: string): void {
      stream.write(printer.format(entryFromPino(line)) + "\n");
    },
  };
}

