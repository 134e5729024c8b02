/**
 * What a running deployment leaves on disk, per user and per deployer, so that the tools of every
 * deployer (status, logs, metrics, profile, purge, dashboard) find it:
 *
 *   <data>/<deployer>/registry/<deployment>.json   a Registration, while the deployment runs
 *   <data>/<deployer>/logs/<deployment>.jsonl      its log entries, one JSON LogEntry per line,
 *                                                  append-only, kept after it stops until purge
 *   <data>/<deployer>/traces/<deployment>.jsonl    its traces (see TraceStore)
 *
 * <data> is $XDG_DATA_HOME/weaver, or ~/.local/share/weaver. The registry is one abstraction over
 * every deployer's folder: a deployer registers under its own name, and readers list one
 * deployer's deployments or everyone's.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** A running deployment, as the registry records it. */
export interface Registration {
  /** The deployer that runs it ("single", "multi", or a plugin's name). */
  readonly deployer: string;
  readonly deployment: string;
  readonly app: string;
  /** The status server's base URL, e.g. http://127.0.0.1:43087. */
  readonly status: string;
  /** The deployer's process id (for a single-process deployment, the app's). */
  readonly pid: number;
  /** When the deployment started, in ms since the epoch. */
  readonly started: number;
  /**
   * The token its status server requires (`Authorization: Bearer <token>`), when it requires one;
   * this is why registration files are readable by their user only (mode 0600).
   */
  readonly token?: string;
}

/** The per-user folder of Weaver's data, shared by every deployer. */
function weaverDataDir(): string {
  const base = process.env["XDG_DATA_HOME"] || join(homedir(), ".local", "share");
  return join(base, "weaver");
}

/** The per-user data folder of a deployer (created on demand by the writers). */
export function dataDir(deployer: string): string {
  return join(weaverDataDir(), deployer);
}

/** The folder of a deployer's registry files. */
export function registryDir(deployer: string): string {
  return join(dataDir(deployer), "registry");
}

/** The folder of a deployer's log files. */
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

/**
 * Registers a running deployment under its deployer (atomically: readers never see half a file).
 * The file is mode 0600 and its folder 0700, whatever the umask or an earlier version left: it
 * may hold the status server's token.
 */
export function registerDeployment(r: Registration): void {
  const dir = registryDir(r.deployer);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, `${r.deployment}.json`);
  const tmp = `${file}.tmp`;
  // A fresh file ("wx"), so that its mode is the one asked for, not that of a leftover.
  rmSync(tmp, { force: true });
  writeFileSync(tmp, JSON.stringify(r) + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Removes a deployment's registration. */
export function unregisterDeployment(deployer: string, deployment: string): void {
  rmSync(join(registryDir(deployer), `${deployment}.json`), { force: true });
}

/**
 * Reads the registrations of one deployer, or of every deployer when none is named, whether or
 * not their deployments still run (see listDeployments), sorted by app and start time.
 */
export function readRegistrations(deployer?: string): Registration[] {
  const deployers = deployer !== undefined ? [deployer] : entries(weaverDataDir());
  const out: Registration[] = [];
  for (const d of deployers) {
    for (const name of entries(registryDir(d), ".json")) {
      try {
        const r = JSON.parse(readFileSync(join(registryDir(d), name), "utf8")) as Registration;
        // Registrations written before the deployer was recorded name it by their folder.
        out.push(r.deployer === undefined ? { ...r, deployer: d } : r);
      } catch {
        // A file being replaced, or damaged: not a deployment we can talk to.
      }
    }
  }
  return out.sort((a, b) => (a.app === b.app ? a.started - b.started : a.app < b.app ? -1 : 1));
}

/** The names in a folder (files ending in `suffix`, or every entry), none when it does not exist. */
function entries(dir: string, suffix = ""): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith(suffix));
  } catch {
    return [];
  }
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
