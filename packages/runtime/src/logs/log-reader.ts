/**
 * Reading the stored logs of every deployment of a deployer (`weaver <deployer> logs`): the files there are when
 * reading starts, merged in time order; then, when following, whatever is appended to them or to
 * files that appear later, until the caller aborts.
 *
 * The first pass reads each file only up to the size it had when reading started, so it ends
 * even while deployments keep writing; following continues from exactly there, so no entry is
 * printed twice or skipped. Following polls (every 100 ms by default): file-change events are not
 * reliable on every file system, and a poll of a few small files costs next to nothing.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogEntry } from "./log-entry.js";
import type { LogFilter } from "./log-query.js";
import { LogFile, type LogChunk } from "./log-file.js";
import { mergeByTime } from "./log-merge.js";

/** Options of readLogs. */
export interface ReadLogsOptions {
  /** The folder of log files (see logsDir). */
  readonly dir: string;
  /** Which entries to yield; all by default. */
  readonly filter?: LogFilter;
  /** Keep yielding entries as they are written, until `signal` aborts. */
  readonly follow?: boolean;
  /** How often to look for new entries when following, in ms. */
  readonly pollMs?: number;
  /** Ends reading (the generator returns) when aborted. */
  readonly signal?: AbortSignal;
  /** Told about entries that cannot be read (damaged lines, unreadable files); reading goes on. */
  readonly onWarning?: (message: string) => void;
}

/** How often following looks for new entries unless told otherwise. */
export const FOLLOW_POLL_MS = 100;

/** The names of the log files in a folder (none when it does not exist), sorted. */
export function listLogFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(".jsonl"))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/** Yields the matching log entries of every deployment in time order, in batches. */
export async function* readLogs(options: ReadLogsOptions): AsyncGenerator<LogEntry[], void, undefined> {
  const dir = options.dir;
  const filter = options.filter ?? (() => true);
  const signal = options.signal;
  const files = new Map<string, LogFile>();
  const broken = new Set<string>();

  /** Reads one chunk, reporting damage; undefined when the file is gone or cannot be read. */
  const readChunk = (name: string, file: LogFile, until?: number): LogChunk | undefined => {
    try {
      const chunk = file.read(until);
      if (chunk.malformed > 0) {
        options.onWarning?.(`skipped ${chunk.malformed} line(s) of ${file.path} that are not log entries`);
      }
      return chunk;
    } catch (e) {
      files.delete(name);
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
        broken.add(name);
        options.onWarning?.(`cannot read ${file.path}: ${(e as Error).message}; its entries are left out`);
      }
      return undefined;
    }
  };

  // The first pass: every file up to its size now, merged by time.
  const sources = listLogFiles(dir).flatMap((name) => {
    const file = new LogFile(join(dir, name));
    let until: number | undefined;
    try {
      until = file.size();
    } catch (e) {
      broken.add(name);
      options.onWarning?.(`cannot read ${file.path}: ${(e as Error).message}; its entries are left out`);
    }
    if (until === undefined) return [];
    files.set(name, file);
    return [
      (): readonly LogEntry[] => {
        for (;;) {
          const chunk = readChunk(name, file, until);
          if (chunk === undefined) return [];
          const matching = chunk.entries.filter(filter);
          if (matching.length > 0 || !chunk.more) return matching;
        }
      },
    ];
  });
  for (const batch of mergeByTime(sources)) {
    if (signal?.aborted) return;
    yield batch;
  }

  // Following: poll for new files and new lines.
  while (options.follow === true && signal?.aborted !== true) {
    try {
      await sleep(options.pollMs ?? FOLLOW_POLL_MS, undefined, { signal });
    } catch {
      return; // aborted
    }
    for (const name of listLogFiles(dir)) {
      if (!files.has(name) && !broken.has(name)) files.set(name, new LogFile(join(dir, name)));
    }
    const fresh: LogEntry[] = [];
    for (const [name, file] of [...files]) {
      for (let chunk = readChunk(name, file); chunk !== undefined; chunk = chunk.more ? readChunk(name, file) : undefined) {
        for (const e of chunk.entries) if (filter(e)) fresh.push(e);
      }
    }
    if (fresh.length === 0 || signal?.aborted) continue;
    // Entries from different files interleave by time; Array.prototype.sort is stable.
    yield fresh.sort((a, b) => a.time - b.time);
  }
}
