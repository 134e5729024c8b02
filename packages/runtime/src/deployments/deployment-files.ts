/**
 * What a running deployment leaves on disk, per user and per deployer, so that other commands
 * (status, logs, dashboard, purge) find it:
 *
 *   <data>/registry/<deployment>.json   a Registration, while the deployment runs
 *   <data>/logs/<deployment>.jsonl      its log entries, one JSON LogEntry per line, append-only,
 *                                       kept after it stops until `purge`
 *
 * <data> is $XDG_DATA_HOME/weaver/<deployer>, or ~/.local/share/weaver/<deployer>.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** A running deployment, as its registry file records it. */
export interface Registration {
  readonly deployment: string;
  readonly app: string;
  /** The status server's base URL, e.g. http://127.0.0.1:43087. */
  readonly status: string;
  /** The deployer's process id. */
  readonly pid: number;
  /** When the deployment started, in ms since the epoch. */
  readonly started: number;
}

/** The per-user data folder of a deployer (created on demand by the writers). */
export function dataDir(deployer: string): string {
  const base = process.env["XDG_DATA_HOME"] || join(homedir(), ".local", "share");
  return join(base, "weaver", deployer);
}

/** The folder of registry files. */
export function registryDir(deployer: string): string {
  return join(dataDir(deployer), "registry");
}

/** The folder of log files. */
export function logsDir(deployer: string): string {
  return join(dataDir(deployer), "logs");
}

/** The log file of a deployment. */
export function logFile(deployer: string, deployment: string): string {
  return join(logsDir(deployer), `${deployment}.jsonl`);
}

/** The trace file of a deployment (see TraceStore). */
export function traceFile(deployer: string, deployment: string): string {
  return join(dataDir(deployer), "traces", `${deployment}.jsonl`);
}

/** Registers a running deployment (atomically: readers never see half a file). */
export function writeRegistration(deployer: string, r: Registration): void {
  const dir = registryDir(deployer);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${r.deployment}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(r) + "\n", { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Removes a deployment's registration. */
export function removeRegistration(deployer: string, deployment: string): void {
  rmSync(join(registryDir(deployer), `${deployment}.json`), { force: true });
}

/** Reads every registration, whether or not its deployment still runs (see isAlive). */
export function readRegistrations(deployer: string): Registration[] {
  let names: string[];
  try {
    names = readdirSync(registryDir(deployer));
  } catch {
    return [];
  }
  const out: Registration[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    try {
      out.push(JSON.parse(readFileSync(join(registryDir(deployer), name), "utf8")) as Registration);
    } catch {
      // A file being replaced, or damaged: not a deployment we can talk to.
    }
  }
  return out.sort((a, b) => (a.app === b.app ? a.started - b.started : a.app < b.app ? -1 : 1));
}

/** Whether a process with this id exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
