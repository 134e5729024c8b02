/**
 * Where a deployment's log entries go: appended to its log file (JSON lines, read by
 * `weaver <deployer> logs`), kept among the recent entries (GET /logs of the status server, which
 * the dashboard tails), and printed in the pretty form (on a deployer's stdout, or a single
 * process's stderr). Entries of the deployer itself (marked with SYSTEM_ATTR) are stored, and
 * printed only from warn up.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { colorEnabled } from "../output/terminal.js";
import { PrettyPrinter, nowMicros, type LogEntry } from "./log-entry.js";
import { RecentLogs } from "./recent-logs.js";
import { SYSTEM_ATTR } from "./system-log.js";

/** Options of a LogSink. */
export interface LogSinkOptions {
  /** The file entries are appended to as JSON lines (see logFile); none keeps them in memory only. */
  readonly file?: string;
  /** The stream entries are printed on in the pretty form; none prints nothing. */
  readonly print?: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Stores and prints the entries of one deployment. */
export class LogSink {
  /** The most recent entries, for the status server. */
  readonly recent = new RecentLogs();
  readonly #file: WriteStream | undefined;
  readonly #print: LogSinkOptions["print"];
  readonly #printer: PrettyPrinter;

  constructor(options: LogSinkOptions) {
    if (options.file !== undefined) {
      mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
      this.#file = createWriteStream(options.file, { flags: "a", mode: 0o600 });
      // A full disk or a deleted folder must not take the deployment down with it.
      this.#file.on("error", () => {});
    }
    this.#print = options.print;
    this.#printer = new PrettyPrinter(options.print !== undefined && colorEnabled(options.print));
  }

  /** Stores an entry, and prints it unless it is a quiet system entry. */
  write(entry: LogEntry): void {
    this.#file?.write(JSON.stringify(entry) + "\n");
    this.recent.add(entry);
    const system = entry.attrs[SYSTEM_ATTR] !== undefined;
    if (this.#print !== undefined && (!system || entry.level === "warn" || entry.level === "error")) {
      this.#print.write(this.#printer.format(entry) + "\n");
    }
  }

  /** Writes an entry of the deployer itself. */
  system(app: string, deployment: string, level: "info" | "warn" | "error", msg: string, attrs: Record<string, string> = {}): void {
    this.write({
      app,
      version: deployment,
      component: "deployer",
      node: deployment,
      time: nowMicros(),
      level,
      file: "",
      line: -1,
      msg,
      attrs: { ...attrs, [SYSTEM_ATTR]: "true" },
    });
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    const file = this.#file;
    return file === undefined ? Promise.resolve() : new Promise((resolve) => file.end(() => resolve()));
  }
}
