/**
 * Incremental reading of one deployment's log file (<data>/logs/<deployment>.jsonl), which the
 * deployer appends to while others read it.
 *
 * Invariants: `#offset` is the file position just after the last byte read, and `#partial` holds
 * the bytes since the last newline: a line the deployer is still writing. A line becomes an entry
 * only once its newline is on disk, so a reader never sees half an entry. Lines are split on the
 * newline byte, which never occurs inside a multi-byte UTF-8 character. A file replaced (another
 * inode) or cut short is read again from its start. (A file deleted and created again may get the
 * same inode back; names are deployment ids, so the deployer never does that.)
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { LogEntry } from "./log-entry.js";

/** The most bytes one read() takes from the file. */
const CHUNK = 1 << 20;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/** What one read() of a log file gave. */
export interface LogChunk {
  /** The complete, well-formed entries read, in file order. */
  readonly entries: LogEntry[];
  /** How many complete lines were not log entries (skipped). */
  readonly malformed: number;
  /** Whether the read stopped before the target position (call read() again for the rest). */
  readonly more: boolean;
}

/** A log file read a chunk at a time; see the file overview for its invariants. */
export class LogFile {
  /** The file's path. */
  readonly path: string;
  #offset = 0;
  #inode = -1;
  #partial: Buffer = EMPTY;

  constructor(path: string) {
    this.path = path;
  }

  /** The file's current size, or undefined when it no longer exists. */
  size(): number | undefined {
    try {
      const fd = openSync(this.path, "r");
      try {
        return fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /**
   * Reads up to one chunk of lines written since the last read, stopping at byte `until` (the
   * end of the file by default). Throws ENOENT when the file is gone, and other I/O errors.
   */
  read(until = Number.POSITIVE_INFINITY): LogChunk {
    const fd = openSync(this.path, "r");
    try {
      const stat = fstatSync(fd);
      if (stat.ino !== this.#inode || stat.size < this.#offset) {
        // A new file under this name, or this one truncated: its content is all new.
        this.#inode = stat.ino;
        this.#offset = 0;
        this.#partial = EMPTY;
      }
      const end = Math.min(stat.size, until);
      const length = Math.max(0, Math.min(CHUNK, end - this.#offset));
      if (length === 0) return { entries: [], malformed: 0, more: false };
      const buffer = Buffer.allocUnsafe(length);
      const n = readSync(fd, buffer, 0, length, this.#offset);
      this.#offset += n;
      return { ...this.#lines(buffer.subarray(0, n)), more: this.#offset < end };
    } finally {
      closeSync(fd);
    }
  }

  /** Splits new bytes into complete lines (keeping the unfinished tail) and parses them. */
  #lines(bytes: Buffer): { entries: LogEntry[]; malformed: number } {
    const entries: LogEntry[] = [];
    let malformed = 0;
    const data = this.#partial.length === 0 ? bytes : Buffer.concat([this.#partial, bytes]);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      const text = data.toString("utf8", start, nl);
      start = nl + 1;
      if (text.trim() === "") continue;
      const entry = parseLogLine(text);
      if (entry === undefined) malformed++;
      else entries.push(entry);
    }
    // Copy the tail, so that the chunk it came from can be freed.
    this.#partial = start >= data.length ? EMPTY : Buffer.from(data.subarray(start));
    return { entries, malformed };
  }
}

/** Parses one line of a log file; undefined when it is not a log entry. */
export function parseLogLine(text: string): LogEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r["time"] !== "number" || typeof r["msg"] !== "string") return undefined;
  const str = (k: string, fallback = ""): string => (typeof r[k] === "string" ? (r[k] as string) : fallback);
  const attrs: Record<string, string> = {};
  if (typeof r["attrs"] === "object" && r["attrs"] !== null) {
    for (const [k, v] of Object.entries(r["attrs"] as Record<string, unknown>)) attrs[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return {
    app: str("app"),
    version: str("version"),
    component: str("component"),
    node: str("node"),
    time: r["time"],
    level: str("level", "info"),
    file: str("file"),
    line: typeof r["line"] === "number" ? r["line"] : -1,
    msg: r["msg"],
    attrs,
  };
}
