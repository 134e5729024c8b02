// Shared helpers for the log tests: entries and log files in a temp folder.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { LogEntry } from "./log-entry.js";

/** A log entry of the hello app, with the given fields. */
export function entry(fields: Partial<LogEntry> = {}): LogEntry {
  return {
    app: "hello",
    version: "bd689290-4929-47f1-a0f0-774d5e1a9307",
    component: "hello.Reverser",
    node: "ac04576d-1cf0-4a4e-a2c4-7c39ad2ac7f1",
    time: 1_700_000_000_000_000,
    level: "info",
    file: "reverser.ts",
    line: 12,
    msg: "reversing",
    attrs: {},
    ...fields,
  };
}

/** Appends entries to `<dir>/<name>.jsonl` as the deployer does, one JSON line each. */
export function append(dir: string, name: string, ...entries: LogEntry[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.jsonl`);
  appendFileSync(file, entries.map((e) => JSON.stringify(e) + "\n").join(""));
  return file;
}
