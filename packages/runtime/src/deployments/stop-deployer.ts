/**
 * Stopping a running deployment from outside (`weaver multi purge`): the deployer process gets
 * SIGTERM, on which it drains its replicas and stops them; if it is still there after the grace
 * period, it gets SIGKILL. Only ever called with the pid of a deployer that the registry and
 * the deployment's own status server both name (see listDeployments).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "./deployment-files.js";

/** How a stop ended: exited after SIGTERM, killed after the grace period, or already gone. */
export type StopOutcome = "exited" | "killed" | "gone";

/** Options of stopDeployer. */
export interface StopOptions {
  /** How long the deployer may take to drain after SIGTERM before it gets SIGKILL, in ms. */
  readonly graceMs?: number;
  /** How often to check whether it has exited, in ms. */
  readonly pollMs?: number;
}

/** How long a deployer may drain before purge kills it. */
export const STOP_GRACE_MS = 10_000;

/** Sends SIGTERM to a deployer, waits for it to exit, and kills it when it takes too long. */
export async function stopDeployer(pid: number, options: StopOptions = {}): Promise<StopOutcome> {
  const pollMs = options.pollMs ?? 50;
  if (!signal(pid, "SIGTERM")) return "gone";
  if (await exited(pid, options.graceMs ?? STOP_GRACE_MS, pollMs)) return "exited";
  if (!signal(pid, "SIGKILL")) return "exited";
  await exited(pid, 2_000, pollMs); // SIGKILL cannot be caught: the process goes at once
  return "killed";
}

/** Sends a signal; false when there is no such process. */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/** Waits until the process is gone or `ms` have passed; tells which. */
async function exited(pid: number, ms: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}
