/**
 * Where a deployment's log entries go: appended to its log file (JSON lines, read by
 * `weaver multi logs`), kept among the recent entries (GET /logs of the status server, which the
 * dashboard tails), and printed in the pretty form on the deployer's stdout. Entries of the
 * deployer itself (marked with SYSTEM_ATTR) are stored, and printed only from warn up.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { PrettyPrinter, colorEnabled, nowMicros, type LogEntry, type RecentLogs } from "@weaver/runtime";
import { SYSTEM_ATTR } from "./system-log.js";

/** Stores and prints the entries of one deployment. */
export class LogSink {
  readonly #file: WriteStream;
  readonly #printer = new PrettyPrinter(colorEnabled(process.stdout));
  readonly #print: boolean;
  readonly #recent: RecentLogs;

  constructor(file: string, print: boolean, recent: RecentLogs) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.#file = createWriteStream(file, { flags: "a", mode: 0o600 });
    this.#print = print;
    this.#recent = recent;
  }

  /** Stores an entry, and prints it unless it is a quiet system entry. */
  write(entry: LogEntry): void {
    this.#file.write(JSON.stringify(entry) + "\n");
    this.#recent.add(entry);
    const system = entry.attrs[SYSTEM_ATTR] !== undefined;
    if (this.#print && (!system || entry.level === "warn" || entry.level === "error")) {
      process.stdout.write(this.#printer.format(entry) + "\n");
    }
  }

  /** Writes an entry of the deployer itself. */
  system(app: string, deployment: string, level: "info" | "warn" | "error", msg: string, attrs: Record<string, string> = {}): void {
    this.write({ app, version: deployment, component: "deployer", node: deployment, time: nowMicros(), level, file: "", line: -1, msg, attrs: { ...attrs, [SYSTEM_ATTR]: "true" } });
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#file.end(() => resolve()));
  }
}
