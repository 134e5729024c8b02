/**
 * What the manager of detached deployments keeps on disk, in a folder only its user can enter:
 *
 *   <data>/multi/manager/manager.sock           the manager's Unix socket (see manager-server.ts)
 *   <data>/multi/manager/manager.pid            the manager's process id
 *   <data>/multi/manager/manager.lock           held while a command starts a manager
 *   <data>/multi/manager/manager.log            the manager's own stdout and stderr
 *   <data>/multi/manager/deployments/<id>.json  a ManagedRecord per deployment it runs
 *
 * Records outlive a manager that is killed (SIGKILL, OOM): the next command finds those whose
 * manager is gone and cleans up after them (recoverLost). Their replicas do not outlive the
 * manager (a replica exits when its deployer's end of its stdin closes); recoverLost kills any
 * that is still there, removes the sockets' folder and the registration, and reports the
 * deployment lost. Adopting them instead would need the control channel a dead manager held.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { dataDir, unregisterDeployment } from "@weaver/runtime";
import { DEPLOYER } from "./deployer-name.js";

/** A deployment the manager runs, as recorded on disk. */
export interface ManagedRecord {
  readonly deployment: string;
  readonly app: string;
  /** The config file it was deployed from (absolute). */
  readonly file: string;
  /** The manager's process id. */
  readonly manager: number;
  /** The folder of its replicas' sockets. */
  readonly socketDir: string | undefined;
  /** The process ids of its replicas at the last change. */
  readonly replicas: readonly number[];
}

/** Where the manager's folder is, without creating it (commands that only look must not create it). */
function managerPath(): string {
  return join(dataDir(DEPLOYER), "manager");
}

/** The manager's folder, created 0700. */
export function managerDir(): string {
  const dir = managerPath();
  mkdirSync(join(dir, "deployments"), { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** The path of one of the manager's files (without creating the folder: writers call managerDir() first). */
export function managerFile(name: "manager.sock" | "manager.pid" | "manager.lock" | "manager.log"): string {
  return join(managerPath(), name);
}

/** The pid the manager recorded, or undefined. */
export function managerPid(): number | undefined {
  try {
    const pid = Number(readFileSync(managerFile("manager.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a deployment's record (atomically). */
export function writeRecord(r: ManagedRecord): void {
  const file = join(managerPath(), "deployments", `${r.deployment}.json`); // the manager made the folder at start
  writeFileSync(`${file}.tmp`, JSON.stringify(r) + "\n", { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Removes a deployment's record. */
export function removeRecord(deployment: string): void {
  rmSync(join(managerPath(), "deployments", `${deployment}.json`), { force: true });
}

/** Every record on disk. */
export function readRecords(): ManagedRecord[] {
  const dir = join(managerPath(), "deployments");
  const out: ManagedRecord[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // no manager ever ran here
  }
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), "utf8")) as ManagedRecord);
    } catch {
      // Half-written by a manager that was killed mid-write: nothing to recover from it.
    }
  }
  return out;
}

/**
 * Whether a process with this id runs. A zombie does not: a killed manager whose new parent has
 * not reaped it yet still answers signal 0.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return true; // no /proc: signal 0 is all there is
  }
}

/**
 * Whether `pid` is a replica of `deployment` (its environment names the deployment), so that a
 * reused pid is never killed. Where /proc cannot be read, it is not.
 */
function isReplicaOf(pid: number, deployment: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").includes(deployment);
  } catch {
    return false;
  }
}

/**
 * Cleans up after managers that died: for each record whose manager is gone, kills the replicas
 * still running, removes the sockets' folder, the registration and the record; removes a dead
 * manager's socket and pid files. Returns the records of the deployments so lost.
 */
export function recoverLost(): ManagedRecord[] {
  const lost = readRecords().filter((r) => !isAlive(r.manager));
  for (const r of lost) {
    for (const pid of r.replicas) if (isAlive(pid) && isReplicaOf(pid, r.deployment)) process.kill(pid, "SIGKILL");
    if (r.socketDir !== undefined) rmSync(r.socketDir, { recursive: true, force: true });
    unregisterDeployment(DEPLOYER, r.deployment);
    removeRecord(r.deployment);
  }
  const pid = managerPid();
  if (pid !== undefined && !isAlive(pid)) {
    rmSync(managerFile("manager.sock"), { force: true });
    rmSync(managerFile("manager.pid"), { force: true });
  }
  return lost;
}

/** One line per lost deployment, for stderr. */
export function lostMessage(r: ManagedRecord): string {
  return (
    `deployment ${r.deployment} of ${r.app} was lost: its manager (pid ${r.manager}) died; its replicas, sockets and ` +
    `registration are cleaned up. Start it again with \`weaver multi deploy --detach ${r.file}\`.`
  );
}
