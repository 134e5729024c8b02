/**
 * The running deployments, of one deployer or of all, found through the registry
 * (deployment-files.ts). Listing also collects garbage, as Service Weaver's registry does: a
 * registration whose deployer process is dead, or whose status address refuses connections or
 * serves another deployment, belongs to a deployment that ended without cleaning up (killed,
 * crashed); its file is deleted so that no later command trips over it again.
 */
import { isAlive, readRegistrations, unregisterDeployment, type Registration } from "./deployment-files.js";
import type { DeploymentStatus } from "./deployment-status.js";
import { probeStatus, STATUS_TIMEOUT_MS, type StatusProbe } from "./status-probe.js";

/** A deployment that runs and answered with its status. */
export interface RunningDeployment {
  readonly registration: Registration;
  readonly status: DeploymentStatus;
}

/** A registered deployment that is not known to be dead but did not give its status. */
export interface UnreachableDeployment {
  readonly registration: Registration;
  /** Why, as a clause: "its status server http://... did not answer: ...". */
  readonly reason: string;
}

/** A registration found stale and deleted. */
export interface StaleRegistration {
  readonly registration: Registration;
  /** Why it was judged stale, as a clause. */
  readonly reason: string;
}

/** What listDeployments found. */
export interface DeploymentListing {
  /** Running deployments, by app, then by start time. */
  readonly running: readonly RunningDeployment[];
  /** Registrations kept although their status could not be read, in the same order. */
  readonly unreachable: readonly UnreachableDeployment[];
  /** Registrations deleted as stale. */
  readonly removed: readonly StaleRegistration[];
}

/** Options of listDeployments. */
export interface ListOptions {
  /** The deployer whose deployments are listed; every deployer's when absent. */
  readonly deployer?: string;
  /** How long each status server may take to answer. */
  readonly timeoutMs?: number;
}

/**
 * Reads the registry, asks every registered deployment for its status (all at once), and deletes
 * the registrations of deployments that are gone.
 */
export async function listDeployments(options: ListOptions = {}): Promise<DeploymentListing> {
  const running: RunningDeployment[] = [];
  const unreachable: UnreachableDeployment[] = [];
  const removed: StaleRegistration[] = [];
  // readRegistrations sorts by app and start time; the results keep that order.
  const probes = readRegistrations(options.deployer).map(
    async (registration): Promise<{ registration: Registration; probe: StatusProbe }> => {
      // A dead deployer cannot be running its deployment, whoever answers on its status address.
      if (!isAlive(registration.pid)) {
        return { registration, probe: { kind: "gone", reason: `its deployer (pid ${registration.pid}) is not running` } };
      }
      return { registration, probe: await probeStatus(registration, options.timeoutMs ?? STATUS_TIMEOUT_MS) };
    },
  );
  for (const { registration, probe } of await Promise.all(probes)) {
    switch (probe.kind) {
      case "running":
        running.push({ registration, status: probe.status });
        break;
      case "unreachable":
        unreachable.push({ registration, reason: probe.reason });
        break;
      case "gone":
        unregisterDeployment(registration.deployer, registration.deployment);
        removed.push({ registration, reason: probe.reason });
        break;
    }
  }
  return { running, unreachable, removed };
}
