/**
 * The three tables of `weaver <deployer> status`, laid out as Service Weaver prints them
 * (weaver-behaviours.md §2.7):
 *
 *   DEPLOYMENTS  APP, DEPLOYMENT (full id), AGE
 *   COMPONENTS   APP, DEPLOYMENT (8 characters), COMPONENT (short name), REPLICA PIDS
 *   LISTENERS    APP, DEPLOYMENT (8 characters), LISTENER, ADDRESS
 *
 * Deployments are sorted by app, then by start time; components keep the order of the status
 * (Main first, then by full name); listeners are sorted by name.
 */
import { formatAge, renderTable } from "../output/table.js";
import type { DeploymentStatus, ReplicaStatus } from "../deployments/deployment-status.js";

/** Replica states whose pid names a process that exists (restarting and stopped ones have exited). */
const LIVE_STATES: ReadonlySet<ReplicaStatus["state"]> = new Set(["starting", "ready", "unhealthy"]);

/** Sorts statuses as the tables list them: by app, then by start time. */
export function sortStatuses(statuses: readonly DeploymentStatus[]): DeploymentStatus[] {
  return [...statuses].sort((a, b) => (a.app === b.app ? a.started - b.started : a.app < b.app ? -1 : 1));
}

/** Renders the DEPLOYMENTS, COMPONENTS and LISTENERS tables; `now` is in ms since the epoch. */
export function formatStatusTables(statuses: readonly DeploymentStatus[], now: number, color = false): string {
  const sorted = sortStatuses(statuses);
  const deployments = sorted.map((s) => [s.app, s.deployment, formatAge(now - s.started)]);
  const components = sorted.flatMap((s) =>
    s.components.map((c) => [s.app, s.deployment.slice(0, 8), c.short, replicaPids(s, c.name, c.group).join(", ")]),
  );
  const listeners = sorted.flatMap((s) =>
    [...s.listeners]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((l) => [s.app, s.deployment.slice(0, 8), l.name, l.address]),
  );
  return (
    renderTable("DEPLOYMENTS", ["APP", "DEPLOYMENT", "AGE"], deployments, color) +
    renderTable("COMPONENTS", ["APP", "DEPLOYMENT", "COMPONENT", "REPLICA PIDS"], components, color) +
    renderTable("LISTENERS", ["APP", "DEPLOYMENT", "LISTENER", "ADDRESS"], listeners, color)
  );
}

/** The pids of the live replicas of the group that runs a component, ascending. */
function replicaPids(status: DeploymentStatus, component: string, group: string): number[] {
  const owner = status.groups.find((g) => g.name === group) ?? status.groups.find((g) => g.components.includes(component));
  return (owner?.replicas ?? [])
    .filter((r) => LIVE_STATES.has(r.state) && r.pid > 0)
    .map((r) => r.pid)
    .sort((a, b) => a - b);
}
