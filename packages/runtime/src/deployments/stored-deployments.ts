/**
 * The deployments whose logs or traces are stored (see deployment-files.ts), running or ended, as
 * the dashboard lists and opens them after they stop. A deployment is known by its files alone:
 * its log file's first entry names its app and when it started (its trace file's first span when
 * it has no log file), and the last write to either file is when it last did something, which for
 * an ended deployment is about when it ended. Files stay until `weaver <deployer> purge`.
 *
 * The first entry of a file never changes (files are append-only; compacting a trace file keeps
 * its oldest kept trace first, from the same deployment), so it is read once per file and kept.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { LogFile } from "../logs/log-file.js";
import type { LogEntry } from "../logs/log-entry.js";
import type { LogFilter } from "../logs/log-query.js";
import { TraceStore } from "../tracing/trace-store.js";
import { dataDir, logFile, logsDir, readRegistrations, traceFile } from "./deployment-files.js";

/** A deployment known by its stored files. Times are ms since the epoch. */
export interface StoredDeployment {
  readonly deployer: string;
  readonly deployment: string;
  readonly app: string;
  /** When it started: its first log entry or span. */
  readonly started: number;
  /** When its files were last written: for an ended deployment, about when it ended. */
  readonly lastWrite: number;
  readonly hasLogs: boolean;
  readonly hasTraces: boolean;
  /** Whether it was registered when listed: running, or ended without cleaning up (see listDeployments). */
  readonly registered: boolean;
}

/** The stored traces of a deployment, read from its trace file. */
export type StoredTraces = Pick<TraceStore, "list" | "trace">;

/** How many bytes are read to find a file's first line. */
const HEAD_BYTES = 64 * 1024;
/** A deployment id, as the file names carry them: nothing that could leave the folder. */
const ID = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

const heads = new Map<string, { app: string; started: number } | null>();

/** Every deployment with stored logs or traces, of every deployer, most recent last write first. */
export function listStoredDeployments(): StoredDeployment[] {
  const out: StoredDeployment[] = [];
  const registered = new Set(readRegistrations().map((r) => `${r.deployer}/${r.deployment}`));
  for (const deployer of names(dirname(dataDir("_")))) {
    const ids = new Set<string>();
    for (const n of names(logsDir(deployer))) if (n.endsWith(".jsonl")) ids.add(n.slice(0, -6));
    for (const n of names(dirname(traceFile(deployer, "_")))) if (n.endsWith(".jsonl")) ids.add(n.slice(0, -6));
    for (const deployment of ids) {
      if (!ID.test(deployment)) continue;
      const logs = fileInfo(logFile(deployer, deployment), logHead);
      const traces = fileInfo(traceFile(deployer, deployment), traceHead);
      const head = logs?.head ?? traces?.head;
      if (head === undefined) continue;
      const lastWrite = Math.max(logs?.mtime ?? 0, traces?.mtime ?? 0);
      out.push({
        deployer,
        deployment,
        ...head,
        lastWrite,
        hasLogs: logs !== undefined,
        hasTraces: traces !== undefined,
        registered: registered.has(`${deployer}/${deployment}`),
      });
    }
  }
  return out.sort((a, b) => b.lastWrite - a.lastWrite);
}

/** The last `limit` stored log entries of a deployment that `filter` accepts, oldest first. */
export function readStoredLogs(d: StoredDeployment, filter: LogFilter, limit: number): LogEntry[] {
  const file = new LogFile(logFile(d.deployer, d.deployment));
  const kept: LogEntry[] = [];
  try {
    for (let more = true; more; ) {
      const chunk = file.read();
      for (const e of chunk.entries) if (filter(e)) kept.push(e);
      // Trim now and then, so that a large file never holds more than twice the limit in memory.
      if (kept.length > 2 * limit) kept.splice(0, kept.length - limit);
      more = chunk.more;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return kept.slice(-limit);
}

/** The stored traces of a deployment (none when it has no trace file). */
export function readStoredTraces(d: StoredDeployment): StoredTraces {
  return new TraceStore({ file: traceFile(d.deployer, d.deployment) });
}

/** The names in a folder, none when it does not exist. */
function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A file's last write and first entry; undefined when it does not exist or has no entry. */
function fileInfo(
  path: string,
  parse: (line: string) => { app: string; started: number } | undefined,
): { mtime: number; head: { app: string; started: number } } | undefined {
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  let head = heads.get(path);
  if (head === undefined || head === null) {
    head = parse(firstLine(path) ?? "") ?? null;
    // A file with no complete line yet may get one: only found heads are kept.
    if (head !== null) heads.set(path, head);
  }
  return head === null ? undefined : { mtime: Math.floor(mtime), head };
}

/** The first complete line of a file, or undefined. */
function firstLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    const nl = buffer.subarray(0, n).indexOf(0x0a);
    return nl < 0 ? undefined : buffer.toString("utf8", 0, nl);
  } finally {
    closeSync(fd);
  }
}

function logHead(line: string): { app: string; started: number } | undefined {
  const e = parse(line);
  return typeof e?.["app"] === "string" && typeof e["time"] === "number"
    ? { app: e["app"], started: Math.floor(e["time"] / 1000) }
    : undefined;
}

function traceHead(line: string): { app: string; started: number } | undefined {
  const s = parse(line);
  const app = (s?.["resource"] as { app?: unknown } | undefined)?.app;
  return typeof app === "string" && typeof s?.["start"] === "number" ? { app, started: Math.floor(s["start"] / 1000) } : undefined;
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
