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
 *
 * When a deployment has routed components, a fourth table follows (ours, not Service Weaver's):
 *
 *   ROUTING      APP, DEPLOYMENT, COMPONENT, MEMBER (the replica slot), REPLICA PID, KEYS (the
 *                slot's share of the keys), SERVING (the share it serves now: more while another
 *                member is down, none while it is down itself)
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
    renderTable("LISTENERS", ["APP", "DEPLOYMENT", "LISTENER", "ADDRESS"], listeners, color) +
    routingTable(sorted, color)
  );
}

/** The ROUTING table, or nothing when no deployment routes keys. */
function routingTable(sorted: readonly DeploymentStatus[], color: boolean): string {
  const rows = sorted.flatMap((s) =>
    (s.routing ?? []).flatMap((r) => {
      const short = s.components.find((c) => c.name === r.component)?.short ?? r.component;
      const pids = new Map(s.groups.flatMap((g) => g.replicas.map((x) => [x.id, x.pid] as const)));
      return r.members.map((m) => {
        const pid = m.replica === undefined ? undefined : pids.get(m.replica);
        return [
          s.app,
          s.deployment.slice(0, 8),
          short,
          m.member,
          m.up && pid !== undefined && pid > 0 ? String(pid) : "down",
          share(m.owned, r.slots),
          share(m.serving, r.slots),
        ];
      });
    }),
  );
  if (rows.length === 0) return "";
  return renderTable("ROUTING", ["APP", "DEPLOYMENT", "COMPONENT", "MEMBER", "REPLICA PID", "KEYS", "SERVING"], rows, color);
}

/** A share of the key slots, as a percentage with one decimal. */
function share(slots: number, of: number): string {
  return of === 0 ? "-" : `${((100 * slots) / of).toFixed(1)}%`;
}

/** The pids of the live replicas of the group that runs a component, ascending. */
function replicaPids(status: DeploymentStatus, component: string, group: string): number[] {
  const owner = status.groups.find((g) => g.name === group) ?? status.groups.find((g) => g.components.includes(component));
  return (owner?.replicas ?? [])
    .filter((r) => LIVE_STATES.has(r.state) && r.pid > 0)
    .map((r) => r.pid)
    .sort((a, b) => a - b);
}
